#if canImport(Glibc)
    import Glibc
#endif

/// A string compared by its code points, as Python compares strings (Swift's `==`
/// on `String` treats canonically equivalent texts as equal; Python does not).
public struct Exact: Hashable, Sendable, ExpressibleByStringLiteral, Comparable, CustomStringConvertible {
    /// The string, compared by its code points.
    public let string: String
    /// `string`, compared exactly.
    public init(_ string: String) { self.string = string }
    /// A literal, compared exactly.
    public init(stringLiteral value: String) { self.string = value }
    /// Equal code point by code point (no Unicode normalization, unlike `String`).
    public static func == (a: Exact, b: Exact) -> Bool {
        // Of different lengths, they differ: a native string's UTF-8 count is at hand, and
        // most comparisons (a field name against the reference fields, a key against a
        // map's) are between strings of different lengths.
        if a.string.utf8.count != b.string.utf8.count { return false }
        var x = a.string
        var y = b.string
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
        }
    }
    /// Hashes the UTF-8 bytes.
    public func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)
    }
    /// Code point order, as Python sorts strings.
    public static func < (a: Exact, b: Exact) -> Bool {
        var x = a.string
        var y = b.string
        return x.withUTF8 { p in
            y.withUTF8 { q in
                let n = min(p.count, q.count)
                let c = n == 0 ? 0 : memcmp(p.baseAddress!, q.baseAddress!, n)
                return c != 0 ? c < 0 : p.count < q.count
            }
        }
    }
    /// The string.
    public var description: String { string }
}

/// A set of exact strings asked about many times: a few kept in a list and compared one by
/// one (cheaper than hashing every string asked about: a push of a thousand refs asks whether
/// each of a thousand items is the one changed id, per check), more in a set.
public struct ExactLookup: Sendable {
    private let few: [Exact]?
    private let set: Set<Exact>

    /// `members`, kept as a list when there are at most `listed`.
    public init(_ members: Set<Exact>, listed: Int = 8) {
        if members.count <= listed {
            (few, set) = (Array(members), [])
        } else {
            (few, set) = (nil, members)
        }
    }

    /// Whether `x` is a member.
    @inline(__always)
    public func contains(_ x: Exact) -> Bool {
        if let few { return few.contains(x) }
        return set.contains(x)
    }

    /// Whether there is no member.
    public var isEmpty: Bool { few?.isEmpty ?? set.isEmpty }
}
