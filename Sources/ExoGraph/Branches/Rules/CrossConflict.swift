import ExoModel
import ExoRules

#if canImport(Glibc)
    import Glibc
#endif

/// Two changes on two different lines of work that share a target, or one change taken up
/// on two lines: the rules' pair across lines (`Rules.CrossPair`, the one definition of its
/// fields). `aRef` nil means the line; when one side is the line, it is `a`. Here, what the
/// engine adds to it: its keys and the indexed search for every pair.
public typealias CrossConflict = Rules.CrossPair

extension Rules.CrossPair {
    /// The two ids, in code point order: what `new` compares across lines.
    var key: PairKey { PairKey(a, b) }
    /// Whether the line being checked is one side.
    public var involvesLine: Bool { aRef == nil }
    /// Whether this is one change taken up on two lines of work.
    public var isTakenUpTwice: Bool { Exact(a) == Exact(b) }

    /// Every cross-branch conflict among `lines`: pairs of items on two different lines
    /// that share a target, and the same change in flight on two lines. Found through an
    /// index from each target (and each id) to the items that have it, so the cost follows
    /// the pairs across lines, not the items on the line times those on the refs.
    ///
    /// With `touching`, only the pairs with a side whose id is in it.
    public static func among(_ lines: [WorkLine], touching: Set<Exact>? = nil) -> [CrossConflict] {
        typealias At = (line: Int, item: Int)
        var byTarget: [Exact: [At]] = [:]
        var byID: [Exact: [At]] = [:]
        // Whether each place has a side in `touching`: one flat list, each line's places from
        // its offset.
        var start: [Int] = []
        var flat: [Bool] = []
        start.reserveCapacity(lines.count)
        let touched = touching.map { ExactLookup($0) }
        // By index, not `for item in`: that copies each item (a push of a thousand refs asks
        // this of a thousand lines per check).
        for line in lines {
            start.append(flat.count)
            let items = line.items
            for i in items.indices { flat.append(touched?.contains(Exact(items[i].id)) ?? true) }
        }
        func marked(_ l: Int, _ i: Int) -> Bool { flat[start[l] + i] }
        // With `touching`, a place unmarked pairs only with a marked one, through a target a
        // marked active item has (an item with a marked item's id is marked itself, so the
        // same id pairs marked places only). Only those places and targets are indexed: a
        // push of a thousand refs pairs the one changed id with the thousand items, and
        // indexes nothing else.
        var markedTargets = Set<Exact>()
        if touching != nil {
            for l in lines.indices {
                let items = lines[l].items
                for i in items.indices where marked(l, i) && items[i].state.isActive {
                    for t in items[i].state.targets { markedTargets.insert(Exact(t)) }
                }
            }
        }
        let sharable = ExactLookup(markedTargets)
        for l in lines.indices {
            let items = lines[l].items
            for i in items.indices {
                let isMarked = marked(l, i)
                if isMarked { byID[Exact(items[i].id), default: []].append((l, i)) }
                // A change only claimed on a ref (not active there) shares no target with anything.
                guard items[i].state.isActive else { continue }
                for t in items[i].state.targets where isMarked || sharable.contains(Exact(t)) {
                    byTarget[Exact(t), default: []].append((l, i))
                }
            }
        }
        struct Pair: Hashable { let x: Int, i: Int, y: Int, j: Int }
        var pairs: [Pair: [String]] = [:]
        pairs.reserveCapacity(byTarget.values.reduce(0) { $0 + $1.count })
        /// Every pair of places on two different lines with a marked side; `visit` for each.
        /// With `touching`, only the marked places are paired with the others (a push of a
        /// thousand branches on one module has a thousand places there, and a line pairs
        /// with them once, not each with each).
        func across(_ places: [At], _ visit: (Pair) -> Void) {
            guard places.count > 1 else { return }
            func pair(_ p: At, _ q: At) {
                let (a, b) = p.line < q.line ? (p, q) : (q, p)
                visit(Pair(x: a.line, i: a.item, y: b.line, j: b.item))
            }
            let isMarked = places.map { marked($0.line, $0.item) }
            if touching == nil {
                for p in places.indices {
                    for q in places.indices where q > p && places[p].line != places[q].line { pair(places[p], places[q]) }
                }
                return
            }
            for p in places.indices where isMarked[p] {
                for q in places.indices where q != p && places[p].line != places[q].line && (!isMarked[q] || q > p) {
                    pair(places[p], places[q])
                }
            }
        }
        for (target, places) in byTarget {
            across(places) { pairs[$0, default: []].append(target.string) }
        }
        for (_, places) in byID {
            across(places) { p in if pairs[p] == nil { pairs[p] = [] } }
        }
        // A change the line took up without holding it active (a claim on the line): taken
        // up twice with every ref that holds it, though the line has no item for it.
        if let first = lines.first, first.ref == nil {
            let onLine = Set(first.items.map { Exact($0.id) })
            for (l, line) in lines.enumerated() where l > 0 {
                for (i, item) in line.items.enumerated()
                where item.takenUpOnLine && marked(l, i) && !onLine.contains(Exact(item.id)) {
                    pairs[Pair(x: 0, i: -1, y: l, j: i)] = []
                }
            }
        }
        var out: [CrossConflict] = []
        var singles: [Exact: [String]] = [:]
        for (p, shared) in pairs {
            if p.i < 0 {
                let y = lines[p.y].items[p.j]
                out.append(CrossConflict(a: y.id, aRef: nil, b: y.id, bRef: lines[p.y].ref, shared: []))
                continue
            }
            let x = lines[p.x].items[p.i]
            let y = lines[p.y].items[p.j]
            if Exact(x.id) == Exact(y.id) {
                // One change on two lines: with the line, only when the line changed it too;
                // between two refs, only when they hold it differently (a branch and its
                // remote-tracking ref hold the same work once).
                guard lines[p.x].ref == nil ? y.takenUpOnLine : x.state != y.state else { continue }
            } else if shared.isEmpty {
                continue
            }
            var sortedShared = shared.count < 2 ? shared : shared.map { Exact($0) }.sorted().map(\.string)
            // One list for every pair sharing the same one target (a push of a thousand refs
            // on one module keeps a million such pairs), not a list each.
            if sortedShared.count == 1 {
                let t = Exact(sortedShared[0])
                if let kept = singles[t] { sortedShared = kept } else { singles[t] = sortedShared }
            }
            out.append(pair(x, lines[p.x].ref, y, lines[p.y].ref, sortedShared))
        }
        return sorted(out)
    }

    /// `conflicts` sorted by (a, b, a's ref, b's ref) in code point order: each key written
    /// once as its four strings' bytes joined by NUL (which no id or ref name holds, and
    /// which sorts before every other byte, so a string sorts before its extensions), and
    /// the keys compared as bytes.
    package static func sorted(_ out: [CrossConflict]) -> [CrossConflict] {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(out.count)
        for c in out {
            let start = bytes.count
            for part in [c.a, c.b, c.aRef ?? "", c.bRef ?? ""] {
                bytes.append(contentsOf: part.utf8)
                bytes.append(0)
            }
            ranges.append(start..<bytes.count)
        }
        let order = bytes.withUnsafeBufferPointer { b in
            ranges.withUnsafeBufferPointer { r in
                out.indices.sorted { i, j in
                    let (x, y) = (r[i], r[j])
                    let n = Swift.min(x.count, y.count)
                    let c = memcmp(b.baseAddress! + x.lowerBound, b.baseAddress! + y.lowerBound, n)
                    return c != 0 ? c < 0 : x.count < y.count
                }
            }
        }
        return order.map { out[$0] }
    }

    /// Two lists sorted as `sorted` sorts, merged into one so sorted: (a, b, a's ref, b's
    /// ref) compared in code point order, which is the byte order of `sorted`'s keys.
    package static func merged(_ x: [CrossConflict], _ y: [CrossConflict]) -> [CrossConflict] {
        if x.isEmpty { return y }
        if y.isEmpty { return x }
        func key(_ c: CrossConflict) -> (Exact, Exact, Exact, Exact) {
            (Exact(c.a), Exact(c.b), Exact(c.aRef ?? ""), Exact(c.bRef ?? ""))
        }
        var out: [CrossConflict] = []
        out.reserveCapacity(x.count + y.count)
        var i = 0
        var j = 0
        while i < x.count && j < y.count {
            if key(y[j]) < key(x[i]) {
                out.append(y[j])
                j += 1
            } else {
                out.append(x[i])
                i += 1
            }
        }
        out += x[i...]
        out += y[j...]
        return out
    }

    private static func pair(
        _ x: WorkLine.Item, _ xRef: String?, _ y: WorkLine.Item, _ yRef: String?,
        _ shared: [String]
    ) -> CrossConflict {
        // The line's change first; between two refs, the smaller (id, ref) first.
        let swap = xRef != nil && (yRef == nil || (Exact(y.id), Exact(yRef!)) < (Exact(x.id), Exact(xRef!)))
        return swap
            ? CrossConflict(a: y.id, aRef: yRef, b: x.id, bRef: xRef, shared: shared)
            : CrossConflict(a: x.id, aRef: xRef, b: y.id, bRef: yRef, shared: shared)
    }

}

/// Two change ids, unordered.
struct PairKey: Hashable {
    let low: Exact
    let high: Exact
    init(_ a: String, _ b: String) {
        let x = Exact(a)
        let y = Exact(b)
        (low, high) = x < y ? (x, y) : (y, x)
    }
}
