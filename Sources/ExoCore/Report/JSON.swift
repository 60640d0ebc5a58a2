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

    public init(_ value: Value?) {
        switch value {
        case nil, .null?: self = .null
        case .bool(let b)?: self = .bool(b)
        case .int(let digits)?: self = .number(digits)
        case .float(let d)?:
            if d.isNaN { self = .number("NaN") }
            else if d.isInfinite { self = .number(d < 0 ? "-Infinity" : "Infinity") }
            else { self = .number(PythonFloat.repr(d)) }
        case .string(let s)?: self = .string(s)
        case .list(let items)?: self = .array(items.map { JSON($0) })
        case .map(let m)?: self = .object(m.entries.map { ($0.key, JSON($0.value)) })
        }
    }

    public static func strings(_ items: [String]) -> JSON { .array(items.map { .string($0) }) }

    /// The text, indented by two spaces per level, without a trailing newline.
    public func rendered(indent: Int = 2) -> String {
        var out = ""
        write(into: &out, level: 0, indent: indent)
        return out
    }

    private func write(into out: inout String, level: Int, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): Self.quote(s, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                out += (i == 0 ? "\n" : ",\n") + String(repeating: " ", count: (level + 1) * indent)
                item.write(into: &out, level: level + 1, indent: indent)
            }
            out += "\n" + String(repeating: " ", count: level * indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                out += (i == 0 ? "\n" : ",\n") + String(repeating: " ", count: (level + 1) * indent)
                Self.quote(key, into: &out)
                out += ": "
                value.write(into: &out, level: level + 1, indent: indent)
            }
            out += "\n" + String(repeating: " ", count: level * indent) + "}"
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value >= 0x20 && scalar.value < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + PythonString.hex(scalar.value, 4)
                } else {
                    let v = scalar.value - 0x10000
                    out += "\\u" + PythonString.hex(0xD800 + (v >> 10), 4) + "\\u" + PythonString.hex(0xDC00 + (v & 0x3FF), 4)
                }
            }
        }
        out += "\""
    }
}
