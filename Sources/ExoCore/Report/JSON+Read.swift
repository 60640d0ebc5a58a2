import ExoModel

/// JSON read back (RFC 8259): a CI's event payload, an agent harness's tool call, the
/// harness's settings file that `install --agent` merges into. Objects keep their members
/// in the order written, so a settings file is written back as its owner wrote it; numbers
/// keep their text. Hand-written rather than Foundation's JSONSerialization: Foundation
/// would add its start-up to every `hook agent` run (on every tool call an agent makes)
/// and does not keep member order.
extension JSON {
    /// The value `bytes` hold; a `.usage` error naming `source` and the byte offset when
    /// they are not JSON. Nesting is bounded (512 levels) so no input can exhaust the stack.
    public static func read(_ bytes: [UInt8], source: String) throws(ExoError) -> JSON {
        var reader = Reader(bytes: bytes)
        do throws(Reader.Failure) {
            reader.space()
            let value = try reader.value(depth: 0)
            reader.space()
            guard reader.at == bytes.count else { throw Reader.Failure(at: reader.at, what: "text after the value") }
            return value
        } catch {
            throw .usage("\(source): not JSON (byte \(error.at): \(error.what))")
        }
    }

    /// A member of an object; nil for anything else or a missing key (the last one written wins).
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.last(where: { $0.0 == key })?.1
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The items, when this is an array.
    public var items: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The boolean, when this is one.
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// This object with `key` set to `value` (in place when present, else at the end).
    public func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var members) = self else { return .object([(key, value)]) }
        if let i = members.lastIndex(where: { $0.0 == key }) { members[i].1 = value } else { members.append((key, value)) }
        return .object(members)
    }

    /// This object without `key`.
    public func removing(_ key: String) -> JSON {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.0 != key })
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        struct Failure: Error {
            let at: Int
            let what: String
        }

        mutating func space() {
            while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
        }

        mutating func expect(_ word: String, _ value: JSON) throws(Failure) -> JSON {
            let w = Array(word.utf8)
            guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else {
                throw Failure(at: at, what: "unexpected character")
            }
            at += w.count
            return value
        }

        mutating func value(depth: Int) throws(Failure) -> JSON {
            guard depth < 512 else { throw Failure(at: at, what: "nested too deep") }
            guard at < bytes.count else { throw Failure(at: at, what: "unexpected end") }
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [(String, JSON)] = []
                space()
                if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                    at += 1
                    return .object(members)
                }
                while true {
                    space()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw Failure(at: at, what: "a key expected") }
                    let key = try string()
                    space()
                    guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw Failure(at: at, what: "':' expected") }
                    at += 1
                    space()
                    members.append((key, try value(depth: depth + 1)))
                    space()
                    guard at < bytes.count else { throw Failure(at: at, what: "unexpected end") }
                    if bytes[at] == UInt8(ascii: ",") {
                        at += 1
                        continue
                    }
                    guard bytes[at] == UInt8(ascii: "}") else { throw Failure(at: at, what: "',' or '}' expected") }
                    at += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [JSON] = []
                space()
                if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                    at += 1
                    return .array(items)
                }
                while true {
                    space()
                    items.append(try value(depth: depth + 1))
                    space()
                    guard at < bytes.count else { throw Failure(at: at, what: "unexpected end") }
                    if bytes[at] == UInt8(ascii: ",") {
                        at += 1
                        continue
                    }
                    guard bytes[at] == UInt8(ascii: "]") else { throw Failure(at: at, what: "',' or ']' expected") }
                    at += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            default: return try number()
            }
        }

        mutating func number() throws(Failure) -> JSON {
            let start = at
            if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
            func digits() -> Int {
                let s = at
                while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 { at += 1 }
                return at - s
            }
            guard digits() > 0 else { throw Failure(at: start, what: "unexpected character") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                guard digits() > 0 else { throw Failure(at: at, what: "digits expected") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                guard digits() > 0 else { throw Failure(at: at, what: "digits expected") }
            }
            return .number(String(decoding: bytes[start..<at], as: UTF8.self))
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard at + 4 <= bytes.count else { throw Failure(at: at, what: "unexpected end") }
            var v: UInt32 = 0
            for b in bytes[at..<at + 4] {
                let d: UInt8
                switch b {
                case 0x30...0x39: d = b - 0x30
                case 0x41...0x46: d = b - 0x41 + 10
                case 0x61...0x66: d = b - 0x61 + 10
                default: throw Failure(at: at, what: "bad \\u escape")
                }
                v = v << 4 | UInt32(d)
            }
            at += 4
            return v
        }

        mutating func string() throws(Failure) -> String {
            at += 1  // the opening quote
            var out: [UInt8] = []
            while true {
                guard at < bytes.count else { throw Failure(at: at, what: "unterminated string") }
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { throw Failure(at: at, what: "unterminated string") }
                    let e = bytes[at]
                    at += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var v = try hex4()
                        if v >= 0xD800 && v < 0xDC00, at + 6 <= bytes.count, bytes[at] == UInt8(ascii: "\\"),
                            bytes[at + 1] == UInt8(ascii: "u")
                        {
                            at += 2
                            let low = try hex4()
                            v = (low >= 0xDC00 && low < 0xE000) ? 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
                        }
                        let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw Failure(at: at - 1, what: "bad escape")
                    }
                case 0x00..<0x20:
                    throw Failure(at: at - 1, what: "control character in a string")
                default:
                    out.append(b)
                }
            }
        }
    }
}
