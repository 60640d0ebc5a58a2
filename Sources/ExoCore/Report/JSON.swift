import ExoModel

/// JSON as Python's `json.dumps(obj, indent=2)` writes it: ASCII only (`\uXXXX` escapes),
/// `": "` between key and value, empty containers as `[]` and `{}`, floats as Python
/// prints them (`Infinity`, `NaN`).
public indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// A frontmatter value as Python's `json.dumps` writes it (nil as `null`).
    public init(_ value: Value?) {
        switch value {
        case nil, .null?: self = .null
        case .bool(let b)?: self = .bool(b)
        case .int(let digits)?: self = .number(digits)
        case .float(let d)?:
            if d.isNaN {
                self = .number("NaN")
            } else if d.isInfinite {
                self = .number(d < 0 ? "-Infinity" : "Infinity")
            } else {
                self = .number(PythonFloat.repr(d))
            }
        case .string(let s)?: self = .string(s)
        case .list(let items)?: self = .array(items.map { JSON($0) })
        case .map(let m)?: self = .object(m.entries.map { ($0.key, JSON($0.value)) })
        }
    }

    /// A list of strings.
    public static func strings(_ items: [String]) -> JSON { .array(items.map { .string($0) }) }

    /// The text, indented by two spaces per level, without a trailing newline.
    public func rendered(indent: Int = 2) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(into: &out, level: 0, indent: indent)
        return String(decoding: out, as: UTF8.self)
    }

    private static let spaces = [UInt8](repeating: 0x20, count: 256)

    static func newline(_ out: inout [UInt8], _ count: Int) {
        out.append(0x0A)
        var left = count
        while left > 0 {
            let n = min(left, spaces.count)
            spaces.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[0..<n])) }
            left -= n
        }
    }

    /// Appends a string's UTF-8 bytes.
    static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    private func write(into out: inout [UInt8], level: Int, indent: Int) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .number(let n): Self.append(n, to: &out)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]".utf8
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, (level + 1) * indent)
                item.write(into: &out, level: level + 1, indent: indent)
            }
            Self.newline(&out, level * indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                out += "{}".utf8
                return
            }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, (level + 1) * indent)
                Self.quote(key, into: &out)
                out += ": ".utf8
                value.write(into: &out, level: level + 1, indent: indent)
            }
            Self.newline(&out, level * indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Fast path: printable ASCII without quotes or backslashes is copied as it is.
        var copy = s
        let plain = copy.withUTF8 { raw -> Bool in
            for b in raw where b < 0x20 || b >= 0x7F || b == 0x22 || b == 0x5C { return false }
            out.append(contentsOf: raw)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\"".utf8
            case "\\": out += "\\\\".utf8
            case "\n": out += "\\n".utf8
            case "\r": out += "\\r".utf8
            case "\t": out += "\\t".utf8
            case "\u{08}": out += "\\b".utf8
            case "\u{0C}": out += "\\f".utf8
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.append(UInt8(scalar.value))
                } else if let byte = RawBytes.byte(scalar) {
                    // A byte of a name that is not UTF-8: Python's surrogate escape for it.
                    out += ("\\u" + PythonString.hex(0xDC00 + UInt32(byte), 4)).utf8
                } else if scalar.value < 0x10000 {
                    out += ("\\u" + PythonString.hex(scalar.value, 4)).utf8
                } else {
                    let v = scalar.value - 0x10000
                    out +=
                        ("\\u" + PythonString.hex(0xD800 + (v >> 10), 4) + "\\u" + PythonString.hex(0xDC00 + (v & 0x3FF), 4)).utf8
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSON {
    /// The text on one line with no spaces (`{"a":1,"b":[2]}`), as Python's `json.dumps`
    /// with `separators=(",", ":")` writes it.
    public var tight: String {
        compact.isEmpty ? "" : Self.tighten(self)
    }

    private static func tighten(_ value: JSON) -> String {
        switch value {
        case .array(let items): return "[" + items.map(tighten).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { key, v in JSON.string(key).compact + ":" + tighten(v) }.joined(separator: ",") + "}"
        default: return value.compact
        }
    }

    /// The text on one line (`{"a": 1, "b": [2]}`), for logs that hold one object a line.
    public var compact: String {
        var out: [UInt8] = []
        compact(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func compact(into out: inout [UInt8]) {
        switch self {
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", ".utf8 }
                item.compact(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += ", ".utf8 }
                Self.quote(key, into: &out)
                out += ": ".utf8
                value.compact(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        default:
            Self.append(rendered(), to: &out)
        }
    }
}
