import ExoGraph
import ExoModel
import ExoStore

/// exo's view of a graph derived from the view of a graph it differs little from (a commit's
/// index from HEAD, a pushed commit from its parent), so that the cost of a hook follows the
/// change: the documents are matched in walk order by path, the ids whose documents differ
/// in what the view reads (path, id, active or not, targets) or in their status or assignee
/// are recomputed, and every other active item and conflict is the base's.
///
/// Why that is exact: an id none of whose documents changed, moved or appeared has the same
/// documents in the same order in both graphs, so the same node (its last document) and the
/// same targets (the union over its documents); a pair of two such ids is a conflict in the
/// target exactly when it is one in the base, with the same shared targets. Every other
/// pair involves a changed id and is computed again.
extension Coordination {
    /// exo's view of `graph`, made the cheapest way there is: derived from the view of a
    /// graph `near` it (the other side of a comparison) when few ids differ, which also
    /// lets the comparison read only the changed ids' pairs; else kept by an earlier run in
    /// `cache` (read back whole, its pairs compared whole); else computed whole. Then kept
    /// for the next run. The plain definition is `Coordination(graph)`; the other two are
    /// equal to it (DerivedViewTests, CacheTests).
    public static func view(of graph: Graph, near: Coordination? = nil, cache: ParseCache) -> Coordination {
        if let near, let derived = Coordination(graph, derivedFrom: near) {
            Probe.derivedView.hit()
            return cache.keep(derived)
        }
        if let kept = cache.cachedView(of: graph) {
            Probe.keptView.hit()
            return kept
        }
        Probe.wholeView.hit()
        return cache.keep(Coordination(graph))
    }

    /// Past this many changed ids the view is computed whole.
    static let derivedLimit = 256

    /// The view of `graph`, derived from `base`; nil when too many ids changed.
    init?(_ graph: Graph, derivedFrom base: Coordination) {
        guard base.pairBound <= Self.materializedPairs,
            let changed = Self.changedIDs(base.graph, graph, limit: Self.derivedLimit)
        else { return nil }
        let states = graph.states(of: changed).states
        // A change that points at many targets is judged through the whole view's index.
        guard states.values.reduce(0, { $0 + $1.targets.count }) <= Self.materializedPairs else { return nil }
        let after = states.mapValues { (active: $0.isActive, targets: $0.targets.map { Exact($0) }) }

        // Active items: the base's without the changed ids, then those of them active now;
        // the base's as they are when no changed id is active on either side (a commit that
        // edits anything but an active change).
        let wasActive = base.active.map { Exact($0) }
        let changedWereActive = changed.contains { wasActive.sortedContains($0) }
        let nowActive = after.filter(\.value.active).keys.sorted()
        var active = base.active
        if changedWereActive || !nowActive.isEmpty {
            let unchanged = wasActive.filter { !changed.contains($0) }
            active = Self.merged(unchanged, nowActive, by: <).map(\.string)
        }

        // Conflicts: the base's between unchanged ids, and every pair with a changed active id.
        // A pair is one of two items active in the base: when no changed id was, every pair
        // is kept as it is. Else made at their size: 10,000 pairs appended one by one were
        // copied fifteen times over into new memory, a page fault each 4 KiB.
        let baseConflicts = base.conflicts
        var kept: [Conflict] = []
        var before: [Conflict] = []
        if changedWereActive {
            kept.reserveCapacity(baseConflicts.count)
            // Only the changed ids active in the base can be in a pair; a name of a length
            // none of them has is not one of them (its length is at hand, its hash is not).
            let pairable = changed.filter { wasActive.sortedContains($0) }
            let lengths = Array(Set(pairable.map(\.string.utf8.count)))  // few: looked through
            func isChanged(_ s: String) -> Bool { lengths.contains(s.utf8.count) && pairable.contains(Exact(s)) }
            for c in baseConflicts {
                if isChanged(c.a) || isChanged(c.b) { before.append(c) } else { kept.append(c) }
            }
        } else {
            kept = baseConflicts
        }
        var pairs: [Conflict] = []
        let changedActive = nowActive.map { ($0, after[$0]!.targets) }
        if !changedActive.isEmpty {
            let wanted = Set(changedActive.flatMap(\.1))
            // What each unchanged active id points at among the targets of changed active
            // items: its documents are the base's, whose index says it without a pass over the
            // graph (and only an active one can pair: the others are not asked about).
            let activeNow = active.map { Exact($0) }
            var pointing: [Exact: Set<Exact>] = [:]
            for (id, targets) in base.targetsHeld.pointing(at: wanted, excluding: changed) where activeNow.sortedContains(id) {
                pointing[id] = targets
            }
            // The changed active items pointing at each of their targets, by position.
            var changedAt: [Exact: [Int]] = [:]
            for (i, x) in changedActive.enumerated() {
                for t in x.1 where changedAt[t]?.last != i { changedAt[t, default: []].append(i) }
            }
            let partners = pointing
            // The (pair, shared target) entries these pairs hold: past `materializedPairs`
            // the view is not derived (it is computed whole and its pairs streamed).
            var entries = changedAt.values.reduce(0) { $0 + $1.count * ($1.count - 1) / 2 }
            for (_, targets) in partners { for t in targets { entries += changedAt[t]?.count ?? 0 } }
            guard entries <= Self.materializedPairs else { return nil }
            // Each pair found through the targets it shares: the cost follows the entries.
            for (y, targets) in partners {
                var shared: [Int: [Exact]] = [:]
                for t in targets { for i in changedAt[t] ?? [] { shared[i, default: []].append(t) } }
                for (i, s) in shared { pairs.append(Self.pair(changedActive[i].0, y, s)) }
            }
            var among: [Int: [Exact]] = [:]  // i * count + j (i < j): the targets shared
            let count = changedActive.count
            for (t, xs) in changedAt where xs.count > 1 {
                for i in xs.indices { for j in xs[(i + 1)...] { among[xs[i] * count + j, default: []].append(t) } }
            }
            for (key, s) in among { pairs.append(Self.pair(changedActive[key / count].0, changedActive[key % count].0, s)) }
            pairs.sort { Self.order($0, $1) < 0 }
        }
        self.init(
            graph, active: active, conflicts: Self.merged(kept, pairs, by: { Self.order($0, $1) < 0 }),
            derivation: Derivation(
                base: base.graph.identity, changed: changed, states: states, kept: kept, before: before, after: pairs,
                baseNode: { base.node($0) },
                sameAsBase: changedWereActive || !nowActive.isEmpty ? nil : base.graph.key))
        // The active items' targets, when asked for: the base's for the unchanged ones, the
        // states' for the others.
        let baseTargets = base.targetsHeld
        _ = knowing(
            ActiveTargets(later: {
                var targets = baseTargets.value
                for id in changed { targets[id] = nil }
                for (id, now) in after where now.active { targets[id] = now.targets }
                return targets
            }))
    }

    /// A conflict with its two ids in code point order and its shared targets sorted.
    private static func pair(_ x: Exact, _ y: Exact, _ shared: [Exact]) -> Conflict {
        let (a, b) = x < y ? (x, y) : (y, x)
        return Conflict(a: a.string, b: b.string, shared: shared.sorted().map(\.string))
    }

    /// (a, b) order of two conflicts: -1, 0 or 1.
    static func order(_ x: Conflict, _ y: Conflict) -> Int {
        let xa = Exact(x.a)
        let ya = Exact(y.a)
        if xa != ya { return xa < ya ? -1 : 1 }
        let xb = Exact(x.b)
        let yb = Exact(y.b)
        if xb != yb { return xb < yb ? -1 : 1 }
        return 0
    }

    /// Two sorted lists with nothing in common as one sorted list.
    static func merged<T>(_ x: [T], _ y: [T], by less: (T, T) -> Bool) -> [T] {
        if y.isEmpty { return x }
        var out: [T] = []
        out.reserveCapacity(x.count + y.count)
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            if j == y.count || (i < x.count && less(x[i], y[j])) {
                out.append(x[i])
                i += 1
            } else {
                out.append(y[j])
                j += 1
            }
        }
        return out
    }

    static func isActiveChange(_ doc: GraphDocument) -> Bool { isActive(path: doc.path, status: doc.status) }

    /// The ids whose documents differ between two graphs in what the view reads; nil when
    /// more than `limit`. Folders the two walks share (the same folder object, or the same
    /// cache key: the same tree under the same context) are passed over; the documents of
    /// the others are paired by one merge in walk order.
    static func changedIDs(_ before: Graph, _ after: Graph, limit: Int) -> Set<Exact>? {
        var changed = Set<Exact>()
        if let a = before.top, let b = after.top {
            return changes(a, b, into: &changed, limit: limit) ? changed : nil
        }
        return changes(before.documents[...], after.documents[...], into: &changed, limit: limit) ? changed : nil
    }

    /// Two folders: their own documents, then their subfolders in pairs (in walk order both);
    /// where the subfolders do not pair up, every document below is merged at once.
    private static func changes(_ a: Subtree, _ b: Subtree, into changed: inout Set<Exact>, limit: Int) -> Bool {
        if a === b { return true }
        if let key = a.key, key == b.key { return true }
        // A folder made from the other by a few files (`Graph.applying`): those files only.
        if let edits = b.edits(from: a) {
            for e in edits where !changes(e.removed[...], e.added[...], into: &changed, limit: limit) { return false }
            return true
        }
        guard a.children.count == b.children.count else {
            var x: [GraphDocument] = []
            var y: [GraphDocument] = []
            a.append(into: &x)
            b.append(into: &y)
            return changes(x[...], y[...], into: &changed, limit: limit)
        }
        guard changes(a.files[...], b.files[...], into: &changed, limit: limit) else { return false }
        for (c, d) in zip(a.children, b.children) where !changes(c, d, into: &changed, limit: limit) { return false }
        return true
    }

    /// Two lists of documents in walk order, paired by path.
    private static func changes(
        _ before: ArraySlice<GraphDocument>, _ after: ArraySlice<GraphDocument>,
        into changed: inout Set<Exact>, limit: Int
    ) -> Bool {
        var i = before.startIndex
        var j = after.startIndex
        while i < before.endIndex || j < after.endIndex {
            let order = i == before.endIndex ? 1 : j == after.endIndex ? -1 : walkOrder(before[i].path, after[j].path)
            if order == 0 {
                if !sameForView(before[i], after[j]) {
                    changed.insert(Exact(before[i].id))
                    changed.insert(Exact(after[j].id))
                }
                i += 1
                j += 1
            } else if order < 0 {
                changed.insert(Exact(before[i].id))
                i += 1
            } else {
                changed.insert(Exact(after[j].id))
                j += 1
            }
            if changed.count > limit { return false }
        }
        return true
    }

    /// Whether two documents at the same path count the same in the view, and in a
    /// change's state across branches (status, targets, assignee): an id whose documents
    /// differ in any of these is changed, so that the cross-branch state derived along with
    /// the view (`CrossState(of:derivedFrom:)`) may take every other id's as it was.
    private static func sameForView(_ x: GraphDocument, _ y: GraphDocument) -> Bool {
        guard Exact(x.id) == Exact(y.id), isActiveChange(x) == isActiveChange(y), x.status == y.status,
            x.assignee == y.assignee, x.targets.count == y.targets.count
        else {
            return false
        }
        for (s, t) in zip(x.targets, y.targets) where Exact(s) != Exact(t) { return false }
        return true
    }
}

extension Array where Element == Exact {
    /// Whether this list, sorted in code point order, holds `x` (a binary search).
    func sortedContains(_ x: Exact) -> Bool {
        let lo = partitionPoint(indices) { !(self[$0] < x) }
        return lo < count && self[lo] == x
    }
}
