/// The few pieces of Python's string semantics that tropo's parser relies on.
package enum PythonText {
    /// `str.isspace()`, which is also what `\s` matches in a Python `re` pattern.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
            0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `s.strip()`.
    static func strip(_ s: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView {
        var v = s
        while let f = v.first, isSpace(f) { v.removeFirst() }
        while let l = v.last, isSpace(l) { v.removeLast() }
        return v
    }

    package static func strip(_ s: String) -> String {
        // ASCII ends: trimmed on the bytes themselves (not through the UTF-8 view's indices,
        // which cost a frontmatter's every value); a non-ASCII end may be Unicode whitespace.
        var s = s
        let (start, end, ascii) = s.withUTF8 { u -> (Int, Int, Bool) in
            var start = 0
            var end = u.count
            while start < end, u[start] < 0x80, isASCIISpace(u[start]) { start += 1 }
            while start < end, u[end - 1] < 0x80, isASCIISpace(u[end - 1]) { end -= 1 }
            return (start, end, start == end || (u[start] < 0x80 && u[end - 1] < 0x80))
        }
        if !ascii { return String(strip(Substring(s).unicodeScalars)) }
        if start == 0 && end == s.utf8.count { return s }
        let u = s.utf8
        return String(s[u.index(u.startIndex, offsetBy: start)..<u.index(u.startIndex, offsetBy: end)])
    }

    /// Python whitespace among ASCII bytes.
    @inline(__always) static func isASCIISpace(_ b: UInt8) -> Bool { (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20) }

    static func rstrip(_ s: String) -> String {
        let u = s.utf8
        var end = u.endIndex
        while end > u.startIndex, let last = Optional(u[u.index(before: end)]), last < 0x80, isASCIISpace(last) {
            end = u.index(before: end)
        }
        if end > u.startIndex && u[u.index(before: end)] >= 0x80 { return rstripScalars(s) }
        return end == u.endIndex ? s : String(s[..<end])
    }

    private static func rstripScalars(_ s: String) -> String {
        var v = Substring(s).unicodeScalars
        while let l = v.last, isSpace(l) { v.removeLast() }
        return String(v)
    }

    /// Length of the leading run of `s.lstrip()` (any Python whitespace).
    static func leadingSpaceCount(_ s: String) -> Int {
        var n = 0
        for c in s.unicodeScalars { if isSpace(c) { n += 1 } else { break } }
        return n
    }

    /// `int(raw)` for an already stripped string: the decimal digits, or nil.
    static func parseInt(_ raw: String) -> String? {
        var scalars = Array(raw.unicodeScalars)
        var negative = false
        if let f = scalars.first, f == "+" || f == "-" {
            negative = f == "-"
            scalars.removeFirst()
        }
        guard let digits = digitString(scalars) else { return nil }
        var trimmed = Substring(digits)
        while trimmed.count > 1 && trimmed.first == "0" { trimmed.removeFirst() }
        return (negative && trimmed != "0" ? "-" : "") + trimmed
    }

    /// `float(raw)` for an already stripped string, or nil.
    static func parseFloat(_ raw: String) -> Double? {
        var scalars = Array(raw.unicodeScalars)
        var sign = ""
        if let f = scalars.first, f == "+" || f == "-" {
            sign = f == "-" ? "-" : ""
            scalars.removeFirst()
        }
        let word = String(String.UnicodeScalarView(scalars)).lowercased()
        if word == "inf" || word == "infinity" { return sign == "-" ? -.infinity : .infinity }
        if word == "nan" { return .nan }
        // mantissa: digitpart ["." [digitpart]] | "." digitpart ; exponent: e [sign] digitpart
        var mantissa = scalars[...]
        var exponent: ArraySlice<Unicode.Scalar>? = nil
        if let e = scalars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = scalars[..<e]
            exponent = scalars[(e + 1)...]
        }
        var intPart = mantissa
        var fracPart: ArraySlice<Unicode.Scalar>? = nil
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            fracPart = mantissa[(dot + 1)...]
        }
        let intDigits = intPart.isEmpty ? "" : digitString(Array(intPart))
        let fracDigits = (fracPart?.isEmpty ?? true) ? "" : digitString(Array(fracPart!))
        guard let i = intDigits, let f = fracDigits else { return nil }
        if i.isEmpty && f.isEmpty { return nil }
        var text = sign + (i.isEmpty ? "0" : i) + "." + (f.isEmpty ? "0" : f)
        if var exp = exponent {
            var expSign = ""
            if let s = exp.first, s == "+" || s == "-" {
                expSign = s == "-" ? "-" : ""
                exp = exp.dropFirst()
            }
            guard !exp.isEmpty, let e = digitString(Array(exp)) else { return nil }
            text += "e" + expSign + e
        }
        return Double(text)
    }

    /// Decimal digits with single underscores between them (PEP 515), any Unicode
    /// decimal digit allowed, as ASCII digits; nil when the text is not that.
    private static func digitString(_ scalars: [Unicode.Scalar]) -> String? {
        guard !scalars.isEmpty else { return nil }
        var out = ""
        var previousUnderscore = true  // no leading underscore
        for c in scalars {
            if c == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            guard c.properties.numericType == .decimal, let v = c.properties.numericValue else { return nil }
            out += String(Int(v))
            previousUnderscore = false
        }
        return previousUnderscore ? nil : out
    }
}
