import HashTreeCollections

/// A list that only grows by union, in order (`derive` and `exclude`): an entry the list
/// holds already, as Python's `in` compares them, is not added again.
///
/// A nested overlay's composition is its parent's with its own entries added, and a pusher
/// controls how deep overlays nest: so a copy made for an overlay (`extended()`) shares
/// the entries it was made from, and the keys are a persistent hash tree
/// (swift-collections' `TreeSet`). Adding n entries costs n, whatever the list held.
struct UnionList: Sendable {
    /// The entries before `own`, shared with the lists this one was extended from.
    private var earlier: Node?
    /// The entries added since the list was last extended.
    private var own: [Value] = []
    private var keys = TreeSet<UnionKey>()

    /// The entries of the lists extended, oldest last.
    private final class Node: Sendable {
        let earlier: Node?
        let entries: [Value]
        init(earlier: Node?, entries: [Value]) {
            self.earlier = earlier
            self.entries = entries
        }
    }

    init() {}

    /// How many entries the list holds.
    var count: Int { keys.count }

    /// Every entry, in the order added.
    var all: [Value] { suffix(from: 0) }

    /// The entries from position `index` on, walking back from the newest only as far as
    /// they go: what an overlay added costs what it added.
    func suffix(from index: Int) -> [Value] {
        var wanted = count - index
        guard wanted > 0 else { return [] }
        var chunks: [ArraySlice<Value>] = [own.suffix(wanted)[...]]
        wanted -= chunks[0].count
        var node = earlier
        while wanted > 0, let n = node {
            chunks.append(n.entries.suffix(wanted))
            wanted -= n.entries.suffix(wanted).count
            node = n.earlier
        }
        return chunks.reversed().flatMap { $0 }
    }

    /// Appends each of `new` the list does not hold yet (Python's `in`, as tropo's union
    /// reads it: strings by their code points, numbers by value).
    /// Returns those added.
    @discardableResult
    mutating func union(_ new: [Value]) -> [Value] {
        var added: [Value] = []
        for v in new where keys.insert(UnionKey(v)).inserted {
            own.append(v)
            added.append(v)
        }
        return added
    }

    /// A copy to extend: it shares these entries rather than copying them when added to.
    func extended() -> UnionList {
        guard !own.isEmpty else { return self }
        var out = self
        out.earlier = Node(earlier: earlier, entries: own)
        out.own = []
        return out
    }

    /// What `Value.pythonEqual` compares of a value.
    private enum UnionKey: Hashable, Sendable {
        case string(Exact)
        case number(Double)
        case other(String)

        init(_ v: Value) {
            switch v {
            case .string(let s): self = .string(Exact(s))
            case .bool(let b): self = .number(b ? 1 : 0)
            case .int(let digits): self = .number(Double(digits) ?? .nan)
            case .float(let d): self = .number(d)
            case .null, .list, .map: self = .other(v.pythonRepr)
            }
        }
    }
}
