/// Conflicts within one graph, and what a commit adds to them.
extension Rules {
    /// Two active changes that point at a common target (`a` before `b` in code point
    /// order), with the targets they share in code point order.
    public struct Pair: Hashable, Sendable {
        /// The first change, in code point order.
        public let a: String
        /// The second change.
        public let b: String
        /// The targets both point at, in code point order.
        public let shared: [String]
        /// `a` and `b` (a before b) over `shared`.
        public init(a: String, b: String, shared: [String]) {
            self.a = a
            self.b = b
            self.shared = shared
        }
    }

    /// GRAPH.md §6: every two active changes a < b whose targets (each once) intersect, in
    /// the order of `active` (sorted by id), with the intersection sorted.
    public static func conflicts(active: [String], targets: (String) -> [String]) -> [Pair] {
        let ids = active.sorted(by: precedes)
        var out: [Pair] = []
        for (i, a) in ids.enumerated() {
            let ta = targets(a)
            for b in ids[(i + 1)...] {
                let tb = targets(b)
                var shared: [String] = []
                for t in ta where tb.contains(where: { same($0, t) }) && !shared.contains(where: { same($0, t) }) {
                    shared.append(t)
                }
                if !shared.isEmpty { out.append(Pair(a: a, b: b, shared: shared.sorted(by: precedes))) }
            }
        }
        return out
    }

    /// What a commit adds to the conflicts (GUARD.md, "What the guard decides").
    public struct Judgement: Sendable, Equatable {
        /// Pairs of the target not in the base, or sharing a target they did not share.
        public var new: [Pair] = []
        /// Pairs of the target no worse than in the base.
        public var existing: [Pair] = []
        /// Pairs of the base gone from the target.
        public var resolved: [Pair] = []
        /// Changes active in the target and not in the base.
        public var activated: [String] = []
    }

    /// The judgement of `target` against `base`, pair by pair, each list in its side's order.
    public static func judge(
        base: [Pair], target: [Pair], activeInBase: [String], activeInTarget: [String]
    ) -> Judgement {
        var out = Judgement()
        for p in target {
            let before = base.first { same($0.a, p.a) && same($0.b, p.b) }
            let widened = p.shared.contains { t in !(before?.shared.contains { same($0, t) } ?? false) }
            if widened { out.new.append(p) } else { out.existing.append(p) }
        }
        out.resolved = base.filter { p in !target.contains { same($0.a, p.a) && same($0.b, p.b) } }
        out.activated = activeInTarget.filter { id in !activeInBase.contains { same($0, id) } }
        return out
    }
}
