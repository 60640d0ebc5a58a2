import ExoGraph
import ExoModel
import ExoStore

/// The conflicts of a view in (a, b) order, made one item's partners at a time.
public struct ConflictSequence: Sequence, Sendable {
    var known: [Coordination.Conflict]?
    var active: [String] = []
    var index = Coordination.TargetIndex()

    init(known: [Coordination.Conflict]) { self.known = known }

    /// Which items the pairs must touch (nil: every pair), or with `avoiding` must not.
    var marked: [Bool]?
    var avoiding = false
    /// Touching: per target of a marked item, the marked items pointing at it, ascending;
    /// and the items that can be the first of such a pair (marked, or before a marked
    /// partner), ascending: only those are visited, so that the cost follows the marked
    /// items' partners, not every item of the view.
    var markedPointing: [Int: [Int]] = [:]
    var firsts: [Int]?

    init(active: [String], index: Coordination.TargetIndex, marked: [Bool]? = nil, avoiding: Bool = false) {
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

        init(_ source: ConflictSequence) {
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
