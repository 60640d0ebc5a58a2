import ExoModel
import ExoRules

/// Work in flight on other lines of work, as GUARD.md ("Across branches") defines it, in
/// plain code (a change's state is ChangeState.swift): which changes are in flight on a ref, the conflicts
/// between lines of work, and what a commit adds to them. Nothing here knows git: a line of
/// work is a view of a graph, and a ref is three views (its tip, its merge base with the
/// line, the line).

extension Coordination {
    /// The state of `id` in this view; nil when no document has the id.
    public func state(of id: String) -> ChangeState? {
        if let d = derivation, d.changed.contains(Exact(id)) { return d.states[Exact(id)] }
        // A graph read from the cache: its documents with the id, found folder by folder.
        if readsFolderByFolder { return graph.state(of: id) }
        guard let node = node(id) else { return nil }
        let active = Coordination.isActive(path: node.path, status: node.status)
        return ChangeState(
            status: node.status, targets: targets(of: id).sorted().map(\.string), assignee: node.assignee,
            path: node.path, isActive: active)
    }
}

/// One line of work and the changes that count on it: on the line itself every active
/// change, on a watched ref the changes in flight there.
public struct WorkLine: Sendable {
    /// The full ref name; nil for the line being checked.
    public let ref: String?
    /// The changes that count on the line, in id order.
    public let items: [Item]

    /// A change that counts on a line, and its state there.
    public struct Item: Sendable {
        /// The change's derived id.
        public let id: String
        /// Its state on this line.
        public let state: ChangeState
        /// On a ref: whether the line changed this change too since the merge base, so that
        /// it is taken up on both lines.
        public let takenUpOnLine: Bool

        /// The change `id`, in `state` on the line.
        package init(id: String, state: ChangeState, takenUpOnLine: Bool) {
            self.id = id
            self.state = state
            self.takenUpOnLine = takenUpOnLine
        }
    }

    /// The items in flight: on the line every item, on a ref those active there (not a
    /// change only claimed there, which counts only as taken up).
    public var inFlight: [Item] { ref == nil ? items : items.filter(\.state.isActive) }

    package init(ref: String?, items: [Item]) {
        self.ref = ref
        self.items = items
    }

    /// The line itself: every active change, with its state there.
    public init(line: Coordination) {
        self.init(line: line, ids: line.active)
    }

    /// The line itself, only the active changes that can meet the items of `refs`: one
    /// with the same id, or pointing at one of their targets.
    package init(line: Coordination, meeting refs: [WorkLine]) {
        var ids = Set<Exact>()
        var targets = Set<Exact>()
        for r in refs {
            for item in r.items {
                ids.insert(Exact(item.id))
                for t in item.state.targets { targets.insert(Exact(t)) }
            }
        }
        self.init(
            line: line,
            ids: line.active.filter { id in
                ids.contains(Exact(id)) || line.targets(of: id).contains(where: targets.contains)
            })
    }

    private init(line: Coordination, ids: [String]) {
        self.init(
            ref: nil,
            items: ids.compactMap { id in
                line.state(of: id).map { Item(id: id, state: $0, takenUpOnLine: false) }
            })
    }

    /// A change taken up at a ref's tip: active there in a state other than the merge
    /// base's (in flight), or claimed there (its assignee set, and other than the merge
    /// base's, whatever its status). Counts on the ref unless the line settled it.
    public struct Flight: Sendable {
        /// The change's derived id.
        public let id: String
        /// The change's state at the ref's tip.
        public let there: ChangeState
        /// Its state at the merge base with the line; nil when it had no document there.
        public let before: ChangeState?

        /// The change `id`, in state `there` at the tip and `before` at the merge base.
        package init(id: String, there: ChangeState, before: ChangeState?) {
            self.id = id
            self.there = there
            self.before = before
        }

        /// In flight on the ref (active there): what pairs over shared targets count. A
        /// flight that is only a claim counts only as the change taken up.
        public var inFlight: Bool { there.isActive }

        /// Whether a change in state `there` is taken up against its state `before`:
        /// in flight (active, and in another state), or claimed (the assignee set, and
        /// another than before's).
        public static func isTakenUp(_ there: ChangeState, from before: ChangeState?) -> Bool {
            Rules.isTakenUp(there, from: before)
        }
    }

    /// The flights of a ref, by the definition: every change of the tip that is active or
    /// assigned, compared with the merge base (absent counts).
    public static func flights(tip: Coordination, mergeBase: Coordination?) -> [Flight] {
        var ids = Set(tip.active.map { Exact($0) })
        for doc in tip.documents where doc.assignee != nil { ids.insert(Exact(doc.id)) }
        return flights(
            candidates: ids.sorted().map(\.string), tip: { tip.state(of: $0) }, mergeBase: { mergeBase?.state(of: $0) })
    }

    /// The same from the graphs: only the ids whose documents differ between the tip and
    /// the merge base can differ in state, and only the folders the two do not share are read.
    package static func flights(tip: Graph, mergeBase: Graph?) -> [Flight] {
        let candidates = tip.changedIDs(from: mergeBase ?? .empty)
        // Every candidate's state in one pass over each graph, not a pass for each.
        let ids = Set(candidates.map { Exact($0) })
        let there = tip.states(of: ids).states
        let before = mergeBase?.states(of: ids).states ?? [:]
        return flights(candidates: candidates, tip: { there[Exact($0)] }, mergeBase: { before[Exact($0)] })
    }

    private static func flights(
        candidates: [String], tip: (String) -> ChangeState?,
        mergeBase: (String) -> ChangeState?
    ) -> [Flight] {
        candidates.compactMap { id in
            guard let there = tip(id) else { return nil }
            let before = mergeBase(id)
            return Flight.isTakenUp(there, from: before) ? Flight(id: id, there: there, before: before) : nil
        }
    }

    /// A watched ref: the changes in flight on it, the flights the line has not settled
    /// (changed since the merge base to the tip's state, or to not active).
    public init(ref: String, flights: [Flight], line: Coordination) {
        self.init(ref: ref, items: flights.compactMap { Self.item(for: $0, here: line.state(of: $0.id)) })
    }

    /// A flight as an item of its ref's line, given the change's state on the line (`here`);
    /// nil when the line settled it: changed it since the merge base either to the tip's
    /// state (a squash-merge or cherry-pick of the ref's work) or to a status other than
    /// active and other than the merge base's (finished, parked or deleted here). A claim
    /// alone, which changes only the assignee, settles nothing.
    package static func item(for f: Flight, here: ChangeState?) -> Item? {
        if settles(here, f) { return nil }
        return Item(id: f.id, state: f.there, takenUpOnLine: here.map { Flight.isTakenUp($0, from: f.before) } ?? false)
    }

    /// Whether the line's state `here` settles the flight `f`.
    package static func settles(_ here: ChangeState?, _ f: Flight) -> Bool {
        Rules.settles(here, there: f.there, before: f.before)
    }
}

/// What a commit or push adds to the conflicts across lines of work: the cross-branch
/// conflicts of the line's target state compared with those of its base state, keyed by
/// the two ids. A pair is new when no line had it before, or when it now shares a target
/// it did not share. Pairs with both changes on the line keep the local rule (`GraphDiff`).
public struct BranchDiff: Sendable {
    /// Pairs the target state has and the base state did not, or that share more now.
    public let new: [CrossConflict]
    /// Pairs in both states, sharing no more than before.
    public let existing: [CrossConflict]
    /// Pairs of the base state gone from the target state.
    public let resolved: [CrossConflict]

    /// Nothing across lines (no ref watched).
    public static let none = BranchDiff(new: [], existing: [], resolved: [])

    package init(new: [CrossConflict], existing: [CrossConflict], resolved: [CrossConflict]) {
        self.new = new
        self.existing = existing
        self.resolved = resolved
    }

    /// Against a base that could not be read: every pair the line holds counts as existing.
    public init(unreadableBase target: [CrossConflict]) {
        self.init(new: [], existing: target.filter(\.involvesLine), resolved: [])
    }

    /// `baseLocal`/`targetLocal`: each state's own conflicts (both changes on the line);
    /// `base`/`target`: each state's cross-branch conflicts, between any two lines.
    public init(
        baseLocal: [Coordination.Conflict], base: [CrossConflict],
        targetLocal: [Coordination.Conflict], target: [CrossConflict]
    ) {
        var before: [PairKey: Set<Exact>] = [:]
        for c in baseLocal { before[PairKey(c.a, c.b), default: []].formUnion(c.shared.map { Exact($0) }) }
        // A change taken up twice is keyed by the change and the ref holding it: the line
        // taking it up is new against every ref that holds it, however many other refs
        // already held it (their pairs with each other are not the line's).
        // Keyed by code points (`Exact`), as exo compares ids: `été` written two ways is two ids.
        struct TakenUp: Hashable {
            let id: Exact
            let ref: Exact
            init(_ c: CrossConflict) { (id, ref) = (Exact(c.a), Exact(c.bRef ?? "")) }
        }
        var takenUpBefore = Set<TakenUp>()
        for c in base where !c.isTakenUpTwice {
            before[c.key, default: []].formUnion(c.shared.map { Exact($0) })
        }
        for c in base where c.isTakenUpTwice && c.involvesLine { takenUpBefore.insert(TakenUp(c)) }
        let local = Set(targetLocal.map { PairKey($0.a, $0.b) })
        // Each pair's key, made once (a push of many refs has a thousand pairs per check).
        let keys = target.map { $0.involvesLine ? $0.key : nil }
        // A pair's shared targets: the union over every ref holding the other change. Made
        // only for a key held more than once: a key held once (nearly every one in a push of
        // many refs) has its one pair's.
        var firstAt: [PairKey: Int] = [:]
        firstAt.reserveCapacity(target.count)
        var union: [PairKey: Set<Exact>] = [:]
        for (n, (c, key)) in zip(target, keys).enumerated() where !c.isTakenUpTwice {
            guard let key else { continue }
            guard let first = firstAt[key] else {
                firstAt[key] = n
                continue
            }
            if union[key] == nil { union[key] = Set(target[first].shared.map { Exact($0) }) }
            union[key]!.formUnion(c.shared.map { Exact($0) })
        }
        var new: [CrossConflict] = []
        var existing: [CrossConflict] = []
        for (c, key) in zip(target, keys) {
            guard let key else { continue }
            if c.isTakenUpTwice {
                if takenUpBefore.contains(TakenUp(c)) { existing.append(c) } else { new.append(c) }
                continue
            }
            let many = union.isEmpty ? nil : union[key]
            let listed =
                many.map { shared in
                    shared.count == c.shared.count
                        ? c
                        : CrossConflict(a: c.a, aRef: c.aRef, b: c.b, bRef: c.bRef, shared: shared.sorted().map(\.string))
                } ?? c
            // A pair the line now holds itself is judged by the local rule.
            let had = before.isEmpty ? nil : before[key]
            if (!local.isEmpty && local.contains(key))
                || (had.map { h in (many ?? Set(c.shared.map { Exact($0) })).isSubset(of: h) } ?? false)
            {
                existing.append(listed)
            } else {
                new.append(listed)
            }
        }
        self.new = new
        self.existing = existing
        if base.contains(where: \.involvesLine) {
            let after = local.union(keys.compactMap { $0 } + target.filter { !$0.involvesLine }.map(\.key))
            resolved = base.filter { $0.involvesLine && !after.contains($0.key) }
        } else {
            resolved = []
        }
    }
}
