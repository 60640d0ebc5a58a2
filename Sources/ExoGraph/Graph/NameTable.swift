import ExoModel

/// Names numbered in the order they first come, for an entry that writes each name once (a
/// kept view's).
struct NameTable {
    private(set) var names: [String]
    private var index: [Exact: UInt32] = [:]

    /// A table that starts with `prefix`, numbered 0 on (a repeated name keeps its first number).
    init(prefix: [String] = []) {
        names = prefix
        index.reserveCapacity(prefix.count * 2)
        for (i, name) in prefix.enumerated() where index[Exact(name)] == nil { index[Exact(name)] = UInt32(i) }
    }

    /// The number of `name`, given the next one when it is new.
    mutating func number(_ name: String) -> UInt32 {
        if let n = index[Exact(name)] { return n }
        let n = UInt32(names.count)
        names.append(name)
        index[Exact(name)] = n
        return n
    }
}
