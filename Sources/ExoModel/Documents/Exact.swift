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
