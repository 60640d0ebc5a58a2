/// Derived ids: a document is named by its file, an index document by its folder.
public enum DocumentID {
    /// tropo's `slugify`: drop one trailing `.md`/`.markdown`, lowercase, every run of
    /// characters outside `a-z 0-9 . _ -` becomes `-`, `-` stripped at both ends,
    /// `untitled` when nothing is left.
    public static func slugify(_ name: String) -> String {
        var base = Array(name.utf8)
        if let slash = base.lastIndex(of: UInt8(ascii: "/")) { base.removeFirst(slash + 1) }
        if base.allSatisfy({ $0 < 0x80 }) { return base.withUnsafeBufferPointer { slugASCII($0, $0.count) } }
        for suffix in [".md", ".markdown"] where base.reversed().starts(with: suffix.utf8.reversed()) {
            base.removeLast(suffix.utf8.count)
            break
        }
        var out = String.UnicodeScalarView()
        var inRun = false
        for c in String(decoding: base, as: UTF8.self).lowercased().unicodeScalars {
            if isSlugScalar(c) {
                out.append(c)
                inRun = false
            } else if !inRun {
                out.append("-")
                inRun = true
            }
        }
        var result = Substring(String(out))
        while result.first == "-" { result.removeFirst() }
        while result.last == "-" { result.removeLast() }
        return result.isEmpty ? "untitled" : String(result)
    }

    static func isSlugScalar(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "0"..."9", ".", "_", "-": return true
        default: return false
        }
    }

    /// The id of the document `fileName` in the folder named `parentName`.
    public static func derive(fileName: String, parentName: String) -> String {
        var file = fileName
        var parent = parentName
        if let id = file.withUTF8({ f in parent.withUTF8 { p in deriveASCII(f, p) } }) { return id }
        let base = stripDocumentSuffixCaseInsensitive(fileName)
        let lowered = base.lowercased()
        if ["readme", "index", "_index"].contains(lowered) || Exact(lowered) == Exact(parentName.lowercased()) {
            return slugify(parentName)
        }
        return slugify(base)
    }

    /// `derive` for ASCII names, on bytes; nil when a name is not ASCII.
    private static func deriveASCII(_ file: UnsafeBufferPointer<UInt8>, _ parent: UnsafeBufferPointer<UInt8>) -> String? {
        for b in file where b >= 0x80 { return nil }
        for b in parent where b >= 0x80 { return nil }
        var end = file.count
        if hasSuffix(file, end, ".md", caseless: true) {
            end -= 3
        } else if hasSuffix(file, end, ".markdown", caseless: true) {
            end -= 9
        }
        func lowerEquals(_ s: StaticString) -> Bool {
            guard s.utf8CodeUnitCount == end else { return false }
            let p = s.utf8Start
            for i in 0..<end where lowerASCII(file[i]) != p[i] { return false }
            return true
        }
        var sameAsParent = end == parent.count
        if sameAsParent {
            for i in 0..<end where lowerASCII(file[i]) != lowerASCII(parent[i]) {
                sameAsParent = false
                break
            }
        }
        if sameAsParent || lowerEquals("readme") || lowerEquals("index") || lowerEquals("_index") {
            return slugASCII(parent, parent.count)
        }
        return slugASCII(file, end)
    }

    private static func hasSuffix(_ b: UnsafeBufferPointer<UInt8>, _ end: Int, _ suffix: StaticString, caseless: Bool) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard end >= n else { return false }
        let p = suffix.utf8Start
        for i in 0..<n where (caseless ? lowerASCII(b[end - n + i]) : b[end - n + i]) != p[i] { return false }
        return true
    }

    /// `slugify` of the ASCII bytes `b[..<end]`.
    private static func slugASCII(_ b: UnsafeBufferPointer<UInt8>, _ count: Int) -> String {
        var end = count
        if hasSuffix(b, end, ".md", caseless: false) {
            end -= 3
        } else if hasSuffix(b, end, ".markdown", caseless: false) {
            end -= 9
        }
        // Written straight into the string (the walk derives an id for every file).
        let slug = String(unsafeUninitializedCapacity: max(end, 1)) { out in
            var n = 0
            var inRun = false
            for i in 0..<end {
                let c = lowerASCII(b[i])
                if (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x5F || c == 0x2D {
                    out[n] = c
                    n += 1
                    inRun = false
                } else if !inRun {
                    out[n] = 0x2D
                    n += 1
                    inRun = true
                }
            }
            var lo = 0
            var hi = n
            while lo < hi && out[lo] == 0x2D { lo += 1 }
            while hi > lo && out[hi - 1] == 0x2D { hi -= 1 }
            if lo > 0 { for k in lo..<hi { out[k - lo] = out[k] } }
            return hi - lo
        }
        return slug.isEmpty ? "untitled" : slug
    }

    /// `re.sub(r"\.(md|markdown)$", "", name, flags=re.I)`.
    static func stripDocumentSuffixCaseInsensitive(_ name: String) -> String {
        let bytes = Array(name.utf8)
        for suffix in [".md", ".markdown"] {
            let s = Array(suffix.utf8)
            if bytes.count >= s.count {
                let tail = bytes[(bytes.count - s.count)...]
                if zip(tail, s).allSatisfy({ lowerASCII($0) == $1 }) {
                    return String(decoding: bytes[..<(bytes.count - s.count)], as: UTF8.self)
                }
            }
        }
        return name
    }

    private static func lowerASCII(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b + 32 : b }

    /// Whether a file name makes a document (`.md` or `.markdown`, case-sensitive).
    public static func isDocumentName(_ name: String) -> Bool {
        name.utf8.reversed().starts(with: ".md".utf8.reversed()) || name.utf8.reversed().starts(with: ".markdown".utf8.reversed())
    }
}
