import ExoGraph
import ExoModel
import ExoStore
import Synchronization

/// The conflicts of a view read one at a time from an index of targets, so that what a run
/// holds follows the documents and their targets, never the number of pairs: 5,000 active
/// changes on one module make 12.5 million pairs, which `conflicts` writes out and a hook
/// counts, but neither keeps.
extension Coordination {
    /// Past this many (pair, shared target) entries at most (`pairBound`), a view's pairs are
    /// not kept whole: not cached, not derived from, and a hook's comparison streams them.
    public static let materializedPairs = 100_000

    /// Active items with their targets numbered, and for each target the items pointing at
    /// it, ascending: the pairs in (a, b) order are read from this.
    struct TargetIndex: Sendable {
        /// Target names by number, and each number's rank in code point order.
        var names: [Exact] = []
        var rank: [Int] = []
        /// Per active item, its target numbers (each once), sorted by rank.
        var targets: [[Int]] = []
        /// Per target number, the active items that point at it, ascending.
        var pointing: [[Int]] = []

        /// An upper bound of the (pair, shared target) entries: the sum over targets of the
        /// pairs among the items pointing at it.
        var pairBound: Int { pointing.reduce(0) { $0 + $1.count * ($1.count - 1) / 2 } }
    }

    /// Every pair a < b of active items with a non-empty sorted intersection of targets,
    /// in (a, b) order. Found through an index from target to the active items that point
    /// at it (`pairs`), so the cost follows the number of shared targets rather than the
    /// square of active items; this holds them all, which `pairs` does not.
    public var conflicts: [Conflict] {
        if let known { return known }
        return Array(pairs)
    }

    /// The index, made once per view (under a lock: views are shared between threads).
    func targetIndex() -> TargetIndex { indexSlot.value { buildTargetIndex() } }

    private func buildTargetIndex() -> TargetIndex {
        var index = TargetIndex()
        var number: [Exact: Int] = [:]
        index.targets.reserveCapacity(active.count)
        for id in active {
            var mine: [Int] = []
            for t in targets(of: id) {
                let n: Int
                if let known = number[t] {
                    n = known
                } else {
                    n = index.names.count
                    number[t] = n
                    index.names.append(t)
                    index.pointing.append([])
                }
                mine.append(n)
                index.pointing[n].append(index.targets.count)
            }
            index.targets.append(mine)
        }
        index.rank = [Int](repeating: 0, count: index.names.count)
        for (r, t) in index.names.indices.sorted(by: { index.names[$0] < index.names[$1] }).enumerated() { index.rank[t] = r }
        for i in index.targets.indices { index.targets[i].sort { index.rank[$0] < index.rank[$1] } }
        return index
    }

    /// Past this many (pair, shared target) entries, a view's pairs are never kept whole,
    /// however few the pairs: 200 changes that share the same 2,000 targets are 19,900
    /// pairs but 40 million entries.
    public static let materializedEntries = 1_000_000

    /// How many pairs this view has, or a bound above it: the (pair, shared target) entries,
    /// the sum over targets of the pairs pointing at it; between `materializedPairs` and
    /// `materializedEntries` entries, the exact count of pairs (ten targets shared by the
    /// same 150 changes are 111,750 entries but 11,175 pairs). Past `materializedPairs` the
    /// pairs are read one at a time.
    public var pairBound: Int {
        if let known { return known.count }
        let bound = targetIndex().pairBound
        guard bound > Self.materializedPairs && bound <= Self.materializedEntries else { return bound }
        return pairCount
    }

    /// Every conflict, in (a, b) order, one at a time.
    public var pairs: ConflictSequence {
        if let known { return ConflictSequence(known: known) }
        return ConflictSequence(active: active, index: targetIndex())
    }

    /// The conflicts with at least one side in `ids`, in (a, b) order.
    public func conflicts(touching ids: Set<Exact>) -> [Conflict] { Array(pairs(touching: ids)) }

    /// The conflicts with at least one side in `ids`, in (a, b) order, one at a time: an item
    /// in `ids` meets every partner, any other only the partners in `ids`, so that what is
    /// read follows those ids' partners and what is held one item's.
    public func pairs(touching ids: Set<Exact>) -> ConflictSequence {
        if let known {
            return ConflictSequence(known: known.filter { ids.contains(Exact($0.a)) || ids.contains(Exact($0.b)) })
        }
        return ConflictSequence(active: active, index: targetIndex(), marked: active.map { ids.contains(Exact($0)) })
    }

    /// The conflicts with neither side in `ids`, in (a, b) order, one at a time.
    public func pairs(avoiding ids: Set<Exact>) -> ConflictSequence {
        if let known {
            return ConflictSequence(known: known.filter { !ids.contains(Exact($0.a)) && !ids.contains(Exact($0.b)) })
        }
        return ConflictSequence(
            active: active, index: targetIndex(), marked: active.map { ids.contains(Exact($0)) }, avoiding: true)
    }

    /// For each target, how many conflicts share it: the pairs among the items pointing at
    /// it, from the index alone.
    public var pairsByTarget: [String: Int] { pairsByTarget(touching: nil) }

    /// For each target, how many conflicts with at least one side in `ids` (nil: any)
    /// share it: the pairs among the items pointing at it less those among its items not
    /// in `ids`.
    public func pairsByTarget(touching ids: Set<Exact>?) -> [String: Int] {
        var count: [String: Int] = [:]
        if let known {
            for c in known where ids.map({ $0.contains(Exact(c.a)) || $0.contains(Exact(c.b)) }) ?? true {
                for t in c.shared { count[t, default: 0] += 1 }
            }
            return count
        }
        let index = targetIndex()
        let marked = ids.map { ids in active.map { ids.contains(Exact($0)) } }
        for (t, items) in index.pointing.enumerated() where items.count > 1 {
            let others = marked.map { marked in items.reduce(0) { $0 + (marked[$1] ? 0 : 1) } } ?? 0
            let pairs = items.count * (items.count - 1) / 2 - others * (others - 1) / 2
            // Names equal as Swift strings (canonically equivalent) are counted together,
            // as the report's counts by name add them up.
            if pairs > 0 { count[index.names[t].string, default: 0] += pairs }
        }
        return count
    }

    /// How many conflicts there are: each item's partners after it, counted without making
    /// a pair (no names, no lists), so that even millions are counted in little time; once
    /// per view (a comparison asks more than once).
    public var pairCount: Int {
        if let known { return known.count }
        return countSlot.value { countPairs() }
    }

    private func countPairs() -> Int {
        let index = targetIndex()
        var seen = [Int](repeating: -1, count: active.count)
        var count = 0
        for a in active.indices {
            for t in index.targets[a] {
                for b in index.pointing[t] where b > a && seen[b] != a {
                    seen[b] = a
                    count += 1
                }
            }
        }
        return count
    }
}

/// Each active item's targets, by id: what a view derived from this one asks of its
/// unchanged items (whose documents are the same in both graphs), and what a kept view is
/// kept with, so that neither reads the graph's documents for them.
extension Coordination {
    /// This view's active items' targets, each once: made from the index of targets unless
    /// given (`knowing`), when first asked for.
    var activeTargets: [Exact: [Exact]] { targetsHeld.value }

    /// What `activeTargets` reads, held in the view's `pointerSlot`.
    var targetsHeld: ActiveTargets {
        pointerSlot.value {
            let index = targetIndex()
            var made: [Exact: [Exact]] = [:]
            made.reserveCapacity(active.count)
            for (i, id) in active.enumerated() { made[Exact(id)] = index.targets[i].map { index.names[$0] } }
            return ActiveTargets(made)
        }
    }

    /// This view, its active items' targets to be had from `targets` (read back with it, or
    /// derived with it); returns the view.
    func knowing(_ targets: ActiveTargets) -> Coordination {
        _ = pointerSlot.value { targets }
        return self
    }
}

/// A view's active items' targets, by id: made when first asked for, once.
final class ActiveTargets: Sendable {
    private let made: Mutex<[Exact: [Exact]]?>
    private let make: @Sendable () -> [Exact: [Exact]]
    /// The targets as a kept view holds them, when they are those.
    private let kept: CacheCoding.KeptTargets?

    init(_ targets: [Exact: [Exact]]) {
        made = Mutex(targets)
        make = { [:] }
        kept = nil
    }

    /// Targets `make` makes when first asked for (it must not hold the view they are for);
    /// `kept`: the kept view's, which `pointing` reads without making them.
    init(later make: @escaping @Sendable () -> [Exact: [Exact]], kept: CacheCoding.KeptTargets? = nil) {
        made = Mutex(nil)
        self.make = make
        self.kept = kept
    }

    /// For each item not in `excluded` that points at some of `wanted`, those it points at:
    /// read on a kept view's numbers while its targets are not made (a commit that edits
    /// an active change asks this of HEAD's thousand active items), else from `value`.
    func pointing(at wanted: Set<Exact>, excluding excluded: Set<Exact>) -> [Exact: Set<Exact>] {
        if let kept, made.withLock({ $0 == nil }) {
            Probe.targetsFromNumbers.hit()
            return kept.pointing(at: wanted, excluding: excluded)
        }
        var out: [Exact: Set<Exact>] = [:]
        for (id, targets) in value where !excluded.contains(id) {
            for t in targets where wanted.contains(t) { out[id, default: []].insert(t) }
        }
        return out
    }

    var value: [Exact: [Exact]] {
        made.withLock { made in
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }
}
