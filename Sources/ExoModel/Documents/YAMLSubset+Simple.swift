/// The frontmatter nearly every document has, read in one pass over its bytes: top-level
/// `key: value` lines of printable ASCII, a value a plain scalar, an inline list of plain
/// scalars, or nothing. It gives exactly what `parse` gives for such text (a map), and nil
/// for anything else: a comment, a quote, an indented line, a line that starts with `-`, a
/// block (`|`, `>`), braces, nested brackets, a tab or any other control byte, a byte
/// past ASCII, a duplicate key, a line that is no `key:` line. The full parser then decides,
/// errors included. FrontmatterTests and the fuzz target `frontmatter` hold the two to the
/// same answer.
extension YAMLSubset {
    /// The map of a block in the common shape, or nil when the full parser must read it.
    public static func simpleMap(_ b: UnsafeBufferPointer<UInt8>) -> OrderedMap? {
        let n = b.count
        var lines = 1
        for c in b where c == 0x0A { lines += 1 }
        // A duplicate key is found by comparing each key with those before it: a longer
        // block is left to the full parser.
        if lines > maxSimpleLines { return nil }
        var keys: [String] = []
        var values: [Value] = []
        keys.reserveCapacity(lines)
        values.reserveCapacity(lines)
        var start = 0
        while start < n {
            var end = start
            var colon = -1
            while end < n {
                let c = b[end]
                if c == 0x0A { break }
                guard c >= 0x20, c < 0x7F, c != 0x23, c != 0x22, c != 0x27, c != 0x7B, c != 0x7D else { return nil }
                if c == 0x3A && colon < 0 { colon = end }
                end += 1
            }
            defer { start = end + 1 }
            var last = end
            while last > start && b[last - 1] == 0x20 { last -= 1 }
            if last == start { continue }  // a blank line
            // Not indented, not a list item, a key before the first colon, and the colon
            // followed by a space or the line's end: tropo's KEY_RE, or the full parser.
            let first = b[start]
            guard first != 0x20, first != 0x2D, first != 0x3A, colon >= 0, colon + 1 >= last || b[colon + 1] == 0x20 else {
                return nil
            }
            var keyEnd = colon
            while b[keyEnd - 1] == 0x20 { keyEnd -= 1 }
            let key = text(b, start, keyEnd)
            if keys.contains(key) { return nil }  // ASCII: the same by code points
            var rest = colon + 1
            while rest < last && b[rest] == 0x20 { rest += 1 }
            let value: Value
            if rest == last {
                value = .null  // no deeper line follows: every indented line was refused
            } else if b[rest] == 0x7C || b[rest] == 0x3E {
                return nil  // block text
            } else if b[rest] == 0x5B && b[last - 1] == 0x5D {
                guard let list = simpleList(b, rest + 1, last - 1) else { return nil }
                value = list
            } else {
                value = simpleScalar(b, rest, last)
            }
            keys.append(key)
            values.append(value)
        }
        return OrderedMap(uniqueKeys: keys, values: values)
    }

    /// The most lines a block read in one pass may have.
    static let maxSimpleLines = 32

    /// `[a, b]` without its brackets: plain scalars split at commas; nil when brackets nest.
    private static func simpleList(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Value? {
        var lo = from
        var hi = to
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        while hi > lo && b[hi - 1] == 0x20 { hi -= 1 }
        if lo == hi { return .list([]) }
        var commas = 0
        for i in lo..<hi {
            let c = b[i]
            if c == 0x5B || c == 0x5D { return nil }
            if c == 0x2C { commas += 1 }
        }
        var items: [Value] = []
        items.reserveCapacity(commas + 1)
        var itemStart = lo
        for i in lo..<hi where b[i] == 0x2C {
            items.append(simpleScalar(b, itemStart, i))
            itemStart = i + 1
        }
        items.append(simpleScalar(b, itemStart, hi))
        return .list(items)
    }

    /// A plain scalar: null and the booleans by their words, text that starts as a number
    /// may as `scalar` decides, any other a string.
    private static func simpleScalar(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Value {
        var lo = from
        var hi = to
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        while hi > lo && b[hi - 1] == 0x20 { hi -= 1 }
        if hi == lo { return .null }
        if hi - lo <= 5 {
            let w = UnsafeBufferPointer(rebasing: b[lo..<hi])
            for (word, value) in words where w.elementsEqual(word.utf8) { return value }
        }
        switch b[lo] {
        case 0x30...0x39, 0x2B, 0x2D, 0x2E, 0x69, 0x49, 0x6E, 0x4E: return scalar(text(b, lo, hi))
        default: return .string(text(b, lo, hi))
        }
    }

    /// The words `scalar` reads as null and the booleans.
    private static let words: [(String, Value)] = [
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("true", .bool(true)), ("True", .bool(true)),
        ("TRUE", .bool(true)), ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
    ]

    @inline(__always)
    private static func text(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[from..<to]), as: UTF8.self)
    }
}
