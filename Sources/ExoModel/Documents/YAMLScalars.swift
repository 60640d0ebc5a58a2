/// tropo's scalars and inline lists: what a value's text means.
extension YAMLSubset {
    /// A scalar: null, quoted string (quotes dropped, nothing unescaped), bool, int, float, string.
    static func scalar(_ raw: String) -> Value {
        let s = PythonText.strip(raw)
        if s.utf8.count <= 5 {
            switch Exact(s) {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
        }
        let u = s.utf8
        if let f = u.first, f < 0x80, let l = u.last, l < 0x80 {
            // ASCII ends: quotes and the first character read on bytes.
            if u.count >= 2, f == l, f == 0x22 || f == 0x27 {
                return .string(String(s.utf8.dropFirst().dropLast())!)
            }
            switch f {
            case 0x30...0x39, 0x2B, 0x2D, 0x2E, 0x69, 0x49, 0x6E, 0x4E: break
            default: return .string(s)
            }
        }
        let scalars = s.unicodeScalars
        if scalars.count >= 2, let f = scalars.first, f == scalars.last, f == "\"" || f == "'" {
            return .string(String(scalars.dropFirst().dropLast()))
        }
        // Only text that starts like a number (a digit, sign, point, inf/nan, or any
        // non-ASCII character, which may be a Unicode digit) can be one.
        let first = scalars.first!
        switch first {
        case "0"..."9", "+", "-", ".", "i", "I", "n", "N": break
        default: if first.isASCII { return .string(s) }
        }
        if let i = PythonText.parseInt(s) { return .int(i) }
        if let d = PythonText.parseFloat(s) { return .float(d) }
        return .string(s)
    }

    /// An inline `[a, b]` list; nested brackets stay inside one item, which becomes a string.
    /// Split on bytes: the brackets, quotes and commas that matter are ASCII.
    static func inlineList(_ raw: String) -> Value {
        let outer = PythonText.strip(raw)
        var inner = PythonText.strip(String(outer.unicodeScalars.dropFirst().dropLast()))
        if inner.isEmpty { return .list([]) }
        return inner.withUTF8 { b -> Value in
            var items: [Value] = []
            var start = 0
            var depth = 0
            var inSingle = false
            var inDouble = false
            for (i, ch) in b.enumerated() {
                if ch == 0x27 && !inDouble {
                    inSingle.toggle()
                } else if ch == 0x22 && !inSingle {
                    inDouble.toggle()
                } else if (ch == 0x5B || ch == 0x7B) && !inSingle && !inDouble {
                    depth += 1
                } else if (ch == 0x5D || ch == 0x7D) && !inSingle && !inDouble {
                    depth -= 1
                }
                if ch == 0x2C && depth == 0 && !inSingle && !inDouble {
                    items.append(scalar(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)))
                    start = i + 1
                }
            }
            items.append(scalar(String(decoding: UnsafeBufferPointer(rebasing: b[start...]), as: UTF8.self)))
            return .list(items)
        }
    }
}
