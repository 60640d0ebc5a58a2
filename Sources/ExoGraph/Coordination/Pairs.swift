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

    /// The index, made once per view (under a lock: views are shared between threads).
    func targetIndex() -> TargetIndex { indexCache.value { buildTargetIndex() } }

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
        return indexCache.count { pairCount }
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
    public var pairsByTarget: [String: Int] {
        if let known {
            var count: [String: Int] = [:]
            for c in known { for t in c.shared { count[t, default: 0] += 1 } }
            return count
        }
        let index = targetIndex()
        var count: [String: Int] = [:]
        for (t, items) in index.pointing.enumerated() where items.count > 1 {
            // Names equal as Swift strings (canonically equivalent) are counted together,
            // as the report's counts by name add them up.
            count[index.names[t].string, default: 0] += items.count * (items.count - 1) / 2
        }
        return count
    }

    /// For each target, how many conflicts with at least one side in `ids` share it: the
    /// pairs among the items pointing at it less those among its items not in `ids`.
    public func pairsByTarget(touching ids: Set<Exact>) -> [String: Int] {
        var count: [String: Int] = [:]
        if let known {
            for c in known where ids.contains(Exact(c.a)) || ids.contains(Exact(c.b)) {
                for t in c.shared { count[t, default: 0] += 1 }
            }
            return count
        }
        let index = targetIndex()
        let marked = active.map { ids.contains(Exact($0)) }
        for (t, items) in index.pointing.enumerated() where items.count > 1 {
            let others = items.reduce(0) { $0 + (marked[$1] ? 0 : 1) }
            let pairs = items.count * (items.count - 1) / 2 - others * (others - 1) / 2
            if pairs > 0 { count[index.names[t].string, default: 0] += pairs }
        }
        return count
    }

    /// How many conflicts there are: each item's partners after it, counted without making
    /// a pair (no names, no lists), so that even millions are counted in little time.
    public var pairCount: Int {
        if let known { return known.count }
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

/// A view's target index, made when first needed.
final class TargetIndexCache: @unchecked Sendable {
    private let lock = Mutex(())
    private var index: Coordination.TargetIndex?
    private let countLock = Mutex<Int?>(nil)

    /// The view's pair count, counted once.
    func count(_ make: () -> Int) -> Int {
        countLock.withLock { count in
            if let count { return count }
            let made = make()
            count = made
            return made
        }
    }

    func value(_ make: () -> Coordination.TargetIndex) -> Coordination.TargetIndex {
        lock.withLock { _ in
            if let index { return index }
            let made = make()
            index = made
            return made
        }
    }
}

/// The conflicts of a view in (a, b) order, made one item's partners at a time.
public struct ConflictSequence: Sequence, Sendable {
    fileprivate var known: [Coordination.Conflict]?
    fileprivate var active: [String] = []
    fileprivate var index = Coordination.TargetIndex()

    fileprivate init(known: [Coordination.Conflict]) { self.known = known }

    /// Which items the pairs must touch (nil: every pair), or with `avoiding` must not.
    fileprivate var marked: [Bool]?
    fileprivate var avoiding = false
    /// Touching: per target of a marked item, the marked items pointing at it, ascending;
    /// and the items that can be the first of such a pair (marked, or before a marked
    /// partner), ascending: only those are visited, so that the cost follows the marked
    /// items' partners, not every item of the view.
    fileprivate var markedPointing: [Int: [Int]] = [:]
    fileprivate var firsts: [Int]?

    fileprivate init(active: [String], index: Coordination.TargetIndex, marked: [Bool]? = nil, avoiding: Bool = false) {
        (self.active, self.index, self.marked, self.avoiding) = (active, index, marked, avoiding)
        guard let marked, !avoiding else { return }
        var first = [Bool](repeating: false, count: active.count)
        for m in active.indices where marked[m] {
            first[m] = true
            for t in index.targets[m] {
                markedPointing[t, default: []].append(m)
                for b in index.pointing[t] {
                    if b >= m { break }
                    first[b] = true
                }
            }
        }
        firsts = first.indices.filter { first[$0] }
    }

    /// The pairs from the first.
    public func makeIterator() -> Iterator { Iterator(self) }

    /// Reads the pairs one active item at a time: memory follows one item's partners.
    public struct Iterator: IteratorProtocol {
        private let source: ConflictSequence
        private var a = -1
        /// Where `a` is in the source's `firsts`, when it has them.
        private var cursor = -1
        /// The current item's partners, ascending, with the shared target numbers by rank.
        private var partners: [(b: Int, shared: [Int])] = []
        private var position = 0
        private var knownPosition = 0
        /// Scratch: where each item is in `partners` while the current item's are gathered.
        private var slot: [Int]

        fileprivate init(_ source: ConflictSequence) {
            self.source = source
            slot = [Int](repeating: -1, count: source.active.count)
        }

        /// The next pair in (a, b) order; nil after the last.
        public mutating func next() -> Coordination.Conflict? {
            if let known = source.known {
                guard knownPosition < known.count else { return nil }
                knownPosition += 1
                return known[knownPosition - 1]
            }
            while position == partners.count {
                for p in partners { slot[p.b] = -1 }
                partners.removeAll(keepingCapacity: true)
                position = 0
                if let firsts = source.firsts {
                    cursor += 1
                    guard cursor < firsts.count else { return nil }
                    a = firsts[cursor]
                } else {
                    a += 1
                    guard a < source.active.count else { return nil }
                }
                gather()
            }
            let p = partners[position]
            position += 1
            let names = source.index.names
            return Coordination.Conflict(
                a: source.active[a], b: source.active[p.b], shared: p.shared.map { names[$0].string })
        }

        /// The items after `a` sharing a target with it, each with the targets shared (when
        /// the pairs must touch marked items and `a` is not one, only the marked ones).
        private mutating func gather() {
            let source = self.source
            guard let marked = source.marked else { return gather { source.index.pointing[$0] } }
            if source.avoiding {
                if marked[a] { return }
                return gather(only: { !marked[$0] }, { source.index.pointing[$0] })
            }
            if marked[a] { return gather { source.index.pointing[$0] } }
            gather { source.markedPointing[$0] ?? [] }
        }

        /// `gather` from the items `items` gives per target, keeping the partners `only` accepts.
        private mutating func gather(only include: (Int) -> Bool = { _ in true }, _ items: (Int) -> [Int]) {
            let index = source.index
            for t in index.targets[a] {
                let items = items(t)
                for b in items[partitionPoint(items.indices) { items[$0] > a }...] where include(b) {
                    if slot[b] < 0 {
                        slot[b] = partners.count
                        partners.append((b, [t]))
                    } else {
                        partners[slot[b]].shared.append(t)
                    }
                }
            }
            partners.sort { $0.b < $1.b }
            for (i, p) in partners.enumerated() { slot[p.b] = i }
        }
    }
}
