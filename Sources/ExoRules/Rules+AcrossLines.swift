/// Conflicts across lines of work (GUARD.md, "Across branches"): the line being checked
/// and each watched ref, with the changes taken up on each.
extension Rules {
    /// A change taken up on a line of work, in its state there.
    public struct LineItem<S: RuleState> {
        /// The change's id.
        public let id: String
        /// Its state on the line.
        public let state: S
        /// Its targets there, each once, in code point order.
        public let targets: [String]
        /// On a ref: whether the line being checked took the same change up too.
        public let takenUpOnLine: Bool
        /// An item.
        public init(id: String, state: S, targets: [String], takenUpOnLine: Bool) {
            self.id = id
            self.state = state
            self.targets = targets
            self.takenUpOnLine = takenUpOnLine
        }
    }

    /// A line of work: the line being checked (`ref` nil) or a watched ref.
    public struct Line<S: RuleState> {
        /// The ref; nil for the line being checked.
        public let ref: String?
        /// The changes taken up on it.
        public let items: [LineItem<S>]
        /// A line.
        public init(ref: String?, items: [LineItem<S>]) {
            self.ref = ref
            self.items = items
        }
    }

    /// A conflict across two lines: `aRef` nil is the line, and when one side is the line
    /// it is `a`; else the sides are in (id, ref) order.
    public struct CrossPair: Hashable, Sendable {
        /// The change on the line when one side is the line; else the first id.
        public let a: String
        /// The ref `a` is on; nil for the line.
        public let aRef: String?
        /// The other change.
        public let b: String
        /// The ref `b` is on; nil for the line.
        public let bRef: String?
        /// The targets both share (empty for a change taken up twice).
        public let shared: [String]
        /// A pair across lines.
        public init(a: String, aRef: String?, b: String, bRef: String?, shared: [String]) {
            self.a = a
            self.aRef = aRef
            self.b = b
            self.bRef = bRef
            self.shared = shared
        }
    }

    /// Every conflict across `lines` (the line first, when it is there), pair by pair: two
    /// different changes on two lines, both in flight (active), sharing a target; the same
    /// change taken up on the line and on a ref; the same change on two refs in different
    /// states; and a change the line took up with no item of its own (a claim on the line)
    /// against each ref that holds it.
    public static func crossConflicts<S>(_ lines: [Line<S>]) -> [CrossPair] {
        var out: [CrossPair] = []
        for i in lines.indices {
            for j in lines.indices where j > i {
                for x in lines[i].items {
                    for y in lines[j].items {
                        let shared =
                            x.state.isActive && y.state.isActive
                            ? x.targets.filter { t in y.targets.contains { same($0, t) } } : []
                        let isSame = same(x.id, y.id)
                        let takenUpTwice = isSame && (lines[i].ref == nil ? y.takenUpOnLine : x.state != y.state)
                        guard takenUpTwice || (!isSame && !shared.isEmpty) else { continue }
                        let swap =
                            lines[i].ref != nil
                            && (precedes(y.id, x.id) || (same(y.id, x.id) && precedes(lines[j].ref!, lines[i].ref!)))
                        out.append(
                            swap
                                ? CrossPair(a: y.id, aRef: lines[j].ref, b: x.id, bRef: lines[i].ref, shared: shared)
                                : CrossPair(a: x.id, aRef: lines[i].ref, b: y.id, bRef: lines[j].ref, shared: shared))
                    }
                }
            }
        }
        if let line = lines.first(where: { $0.ref == nil }) {
            for ref in lines where ref.ref != nil {
                for y in ref.items where y.takenUpOnLine && !line.items.contains(where: { same($0.id, y.id) }) {
                    out.append(CrossPair(a: y.id, aRef: nil, b: y.id, bRef: ref.ref, shared: []))
                }
            }
        }
        return out
    }
}

extension Rules {
    /// What a commit or push adds across lines: `target`'s conflicts with the line as one
    /// side, against `base`'s, keyed by the two ids. A pair's shared targets are the union
    /// over every ref holding the other change; it is new when no line had the pair, or
    /// when that union holds a target the pair did not share before (locally or across).
    /// A pair the line now holds itself (`targetLocal`) is judged by the local rule, so
    /// existing here. A change taken up twice is keyed by the change and the ref: new
    /// unless the base already held it taken up against that ref. Resolved: the line's
    /// pairs of the base whose ids no pair of the target has.
    public static func judgeAcross(
        baseLocal: [Pair], base: [CrossPair], targetLocal: [Pair], target: [CrossPair]
    ) -> (new: [CrossPair], existing: [CrossPair], resolved: [CrossPair]) {
        func isTwice(_ c: CrossPair) -> Bool { same(c.a, c.b) }
        func sameIDs(_ x: (String, String), _ y: (String, String)) -> Bool {
            (same(x.0, y.0) && same(x.1, y.1)) || (same(x.0, y.1) && same(x.1, y.0))
        }
        func sharedBefore(_ a: String, _ b: String) -> [String]? {
            let local = baseLocal.filter { sameIDs(($0.a, $0.b), (a, b)) }.flatMap(\.shared)
            let across = base.filter { !isTwice($0) && sameIDs(($0.a, $0.b), (a, b)) }.flatMap(\.shared)
            let had =
                baseLocal.contains { sameIDs(($0.a, $0.b), (a, b)) }
                || base.contains { !isTwice($0) && sameIDs(($0.a, $0.b), (a, b)) }
            return had ? local + across : nil
        }
        var new: [CrossPair] = []
        var existing: [CrossPair] = []
        for c in target where c.aRef == nil {
            if isTwice(c) {
                let held = base.contains { $0.aRef == nil && isTwice($0) && same($0.a, c.a) && $0.bRef == c.bRef }
                if held { existing.append(c) } else { new.append(c) }
                continue
            }
            var union: [String] = []
            for other in target where other.aRef == nil && !isTwice(other) && sameIDs((other.a, other.b), (c.a, c.b)) {
                for t in other.shared where !union.contains(where: { same($0, t) }) { union.append(t) }
            }
            let listed =
                union.count == c.shared.count
                ? c : CrossPair(a: c.a, aRef: c.aRef, b: c.b, bRef: c.bRef, shared: union.sorted(by: precedes))
            let localNow = targetLocal.contains { sameIDs(($0.a, $0.b), (c.a, c.b)) }
            let before = sharedBefore(c.a, c.b)
            let noWorse = before.map { had in union.allSatisfy { t in had.contains { same($0, t) } } } ?? false
            if localNow || noWorse { existing.append(listed) } else { new.append(listed) }
        }
        let resolved = base.filter { p in
            p.aRef == nil
                && !targetLocal.contains { sameIDs(($0.a, $0.b), (p.a, p.b)) }
                && !target.contains { sameIDs(($0.a, $0.b), (p.a, p.b)) }
        }
        return (new, existing, resolved)
    }
}
