import ExoModel

/// Names numbered in the order they first come, for an entry that writes each name once (a
/// kept view's): looked up by a scan while there are few, through a dictionary past that.
struct NameTable {
    private(set) var names: [String]
    private var index: [Exact: UInt32]?

    /// A table that starts with `prefix`, numbered 0 on (a repeated name keeps its first number).
    init(prefix: [String] = []) {
        names = prefix
        if prefix.count > Self.scanned { index = Self.indexed(prefix) }
    }

    /// How many names are looked up by a scan.
    static let scanned = 8

    /// The number of `name`, given the next one when it is new.
    mutating func number(_ name: String) -> UInt32 {
        let key = Exact(name)
        if let index {
            if let n = index[key] { return n }
        } else if let i = names.firstIndex(where: { Exact($0) == key }) {
            return UInt32(i)
        }
        let n = UInt32(names.count)
        names.append(name)
        if index != nil {
            index![key] = n
        } else if names.count > Self.scanned {
            index = Self.indexed(names)
        }
        return n
    }

    private static func indexed(_ names: [String]) -> [Exact: UInt32] {
        var index: [Exact: UInt32] = [:]
        index.reserveCapacity(names.count * 2)
        for (i, name) in names.enumerated() where index[Exact(name)] == nil { index[Exact(name)] = UInt32(i) }
        return index
    }
}
