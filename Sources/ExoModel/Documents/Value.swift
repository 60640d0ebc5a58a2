/// A frontmatter value as tropo's YAML subset produces it.
///
/// Integers keep their decimal digits (Python integers have no size limit), so a
/// value prints exactly as the reference prints it.
public indirect enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(String)
    case float(Double)
    case string(String)
    case list([Value])
    case map(OrderedMap)

    /// The string inside, when this is a string.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Python truthiness: `None`, `False`, `0`, `0.0`, `""`, `[]`, `{}` are false.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let digits): return digits != "0"
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        }
    }
}

/// A map that keeps its keys in the order they were written. Keys compare by code
/// points; a small map is searched in order, a large one through an index.
public struct OrderedMap: Sendable, Equatable {
    /// The keys in the order they were first set.
    public private(set) var keys: [String] = []
    private var values: [Value] = []
    private var index: [Exact: Int]? = nil
    private static let indexFrom = 12

    /// The empty map.
    public init() {}

    /// The map of `keys`, no two the same by code points, and their `values`, in that order.
    package init(uniqueKeys keys: [String], values: [Value]) {
        precondition(keys.count == values.count)
        self.keys = keys
        self.values = values
        if keys.count > Self.indexFrom { reindex() }
    }

    /// Whether the map has no key.
    public var isEmpty: Bool { keys.isEmpty }

    /// Calls `body` with each key and its value, in key order (nothing copied out).
    package func forEachEntry(_ body: (String, Value) throws -> Void) rethrows {
        for i in keys.indices { try body(keys[i], values[i]) }
    }

    private func position(_ key: String) -> Int? {
        if let index { return index[Exact(key)] }
        let k = Exact(key)
        for i in keys.indices where Exact(keys[i]) == k { return i }
        return nil
    }

    /// The value of `key`, compared by code points.
    public subscript(key: String) -> Value? { position(key).map { values[$0] } }
    /// Whether `key` is set.
    public func contains(_ key: String) -> Bool { position(key) != nil }

    /// Sets `key`, keeping its place when it is already set.
    public mutating func set(_ key: String, _ value: Value) {
        if let i = position(key) {
            values[i] = value
            return
        }
        keys.append(key)
        values.append(value)
        if index != nil {
            index![Exact(key)] = keys.count - 1
        } else if keys.count > Self.indexFrom {
            reindex()
        }
    }

    /// Removes `key` and its value.
    public mutating func remove(_ key: String) {
        guard let i = position(key) else { return }
        keys.remove(at: i)
        values.remove(at: i)
        if index != nil { reindex() }
    }

    private mutating func reindex() {
        var built: [Exact: Int] = [:]
        for (i, k) in keys.enumerated() { built[Exact(k)] = i }
        index = built
    }

    /// The pairs in key order.
    public var entries: [(key: String, value: Value)] { (0..<keys.count).map { (keys[$0], values[$0]) } }

    /// Same keys in the same order (by code points), same values.
    public static func == (a: OrderedMap, b: OrderedMap) -> Bool {
        a.keys.count == b.keys.count && a.values == b.values
            && zip(a.keys, b.keys).allSatisfy { Exact($0) == Exact($1) }
    }
}

// MARK: - Python's text forms

extension Value {
    /// `str(value)` in Python: what exo prints in its text output.
    public var pythonStr: String {
        switch self {
        case .string(let s): return s
        default: return pythonRepr
        }
    }

    /// `repr(value)` in Python.
    public var pythonRepr: String {
        switch self {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let digits): return digits
        case .float(let d): return PythonFloat.repr(d)
        case .string(let s): return PythonString.repr(s)
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .map(let m):
            return "{"
                + m.entries.map { PythonString.repr($0.key) + ": " + $0.value.pythonRepr }
                .joined(separator: ", ") + "}"
        }
    }
}

/// Python's formatting of floats (`repr`), built on Swift's shortest round-trip digits.
package enum PythonFloat {
    package static func repr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest digits that round-trip, like Python's.
        let (negative, digits, exponent) = decompose(d)
        // Python: scientific when exponent < -4 or >= 16 (exponent of the first digit).
        var out = negative ? "-" : ""
        if exponent < -4 || exponent >= 16 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let e = abs(exponent)
            out += "e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0\(e)" : "\(e)")
        } else if exponent < 0 {
            out += "0." + String(repeating: "0", count: -exponent - 1) + digits
        } else if digits.count > exponent + 1 {
            let split = digits.index(digits.startIndex, offsetBy: exponent + 1)
            out += digits[..<split] + "." + digits[split...]
        } else {
            out += digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
        }
        return out
    }

    /// The sign, significant digits and decimal exponent of the first digit.
    private static func decompose(_ d: Double) -> (Bool, String, Int) {
        var text = "\(abs(d))"  // e.g. "1.5", "1e-05", "1.2345e+20", "100.0"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var pointPos = intPart.count  // digits before the point
        // Strip leading zeros.
        while digits.count > 1 && digits.first == "0" {
            digits.removeFirst()
            pointPos -= 1
        }
        while digits.count > 1 && digits.last == "0" { digits.removeLast() }
        return (d < 0, digits, pointPos - 1 + exponent)
    }
}

/// Python's `repr` of a string.
package enum PythonString {
    package static func repr(_ s: String) -> String {
        let hasSingle = s.contains("'")
        let hasDouble = s.contains("\"")
        let quote: Character = (hasSingle && !hasDouble) ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    out += "\\x" + hex(scalar.value, 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, 4)
                } else {
                    out += "\\U" + hex(scalar.value, 8)
                }
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `str.isprintable` for one character.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
            .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    package static func hex(_ v: UInt32, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

// MARK: - Ordering (Python's `<` where Python has one)

extension Value {
    /// Python's ordering between two values; values Python cannot compare (where exo
    /// would stop with a TypeError) fall back to an order by kind, so the board never fails.
    public static func pythonLess(_ a: Value, _ b: Value) -> Bool {
        switch (a.numeric, b.numeric) {
        case (let x?, let y?): return x < y
        default: break
        }
        switch (a, b) {
        case (.string(let x), .string(let y)): return Exact(x) < Exact(y)
        case (.list(let x), .list(let y)):
            for (p, q) in zip(x, y) where !(p == q || (p.numeric != nil && p.numeric == q.numeric)) {
                return pythonLess(p, q)
            }
            return x.count < y.count
        default: return a.kindRank < b.kindRank
        }
    }

    /// Python equality across bool/int/float.
    public static func pythonEqual(_ a: Value, _ b: Value) -> Bool {
        if let x = a.numeric, let y = b.numeric { return x == y }
        return a == b
    }

    private var numeric: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let digits): return Double(digits)
        case .float(let d): return d
        default: return nil
        }
    }

    private var kindRank: Int {
        switch self {
        case .null: return 0
        case .bool, .int, .float: return 1
        case .string: return 2
        case .list: return 3
        case .map: return 4
        }
    }
}
