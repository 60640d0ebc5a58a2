#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frontmatter extraction, as exo reads a file: bytes decoded as UTF-8 with invalid
/// sequences replaced, universal newlines (`\r\n` and `\r` become `\n`), a leading BOM
/// dropped, then `^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|$)` (first close wins).
///
/// Every delimiter is ASCII and `\r` never occurs inside a UTF-8 sequence, so the work
/// is done on bytes and only the frontmatter itself is decoded.
public enum Frontmatter {
    /// Where the frontmatter block is in normalized bytes: the YAML text and the end of the match.
    public struct Match: Equatable, Sendable {
        /// The YAML text between the delimiter lines.
        public let yaml: Range<Int>
        /// Where the match ends (past the closing delimiter's line).
        public let end: Int
    }

    /// Universal newlines and the BOM removed.
    public static func normalize(_ bytes: [UInt8]) -> [UInt8] {
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        guard hasCR(bytes[start...]) else { return start == 0 ? bytes : Array(bytes[start...]) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count - start)
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x0D {
                out.append(0x0A)
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            } else {
                out.append(b)
            }
            i += 1
        }
        return out
    }

    /// Whether `bytes` hold a `\r` (with memchr: this looks through every file read).
    static func hasCR(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { b in b.count > 0 && memchr(b.baseAddress!, 0x0D, b.count) != nil }
    }

    /// The frontmatter match in normalized bytes, or nil when the text has none.
    public static func match(_ b: [UInt8]) -> Match? {
        let n = b.count
        guard n >= 3, b[0] == 0x2D, b[1] == 0x2D, b[2] == 0x2D else { return nil }
        var i = 3
        while i < n && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        if i < n && b[i] == 0x0D { i += 1 }
        guard i < n, b[i] == 0x0A else { return nil }
        let start = i + 1
        var q = start
        while q < n {
            // `\r?\n---` at q
            var k = q
            if b[k] == 0x0D { k += 1 }
            if k + 3 < n, b[k] == 0x0A, b[k + 1] == 0x2D, b[k + 2] == 0x2D, b[k + 3] == 0x2D {
                var j = k + 4
                while j < n && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
                if j == n { return Match(yaml: start..<q, end: j) }
                if b[j] == 0x0A { return Match(yaml: start..<q, end: j + 1) }
                if b[j] == 0x0D && j + 1 < n && b[j + 1] == 0x0A { return Match(yaml: start..<q, end: j + 2) }
            }
            q += 1
        }
        return nil
    }

    /// Whether the first bytes of a file decide its fields: `fields(of:)` gives the same for
    /// every file that starts with `prefix`. True once the first line shows there is no
    /// frontmatter, or once the line closing the frontmatter has ended (its newline read);
    /// universal newlines never change what comes before the end of `prefix`, so the match
    /// in the prefix is the match in the whole file. A git blob can then be read only as far
    /// as its frontmatter goes.
    public static func isDecided(byPrefix prefix: [UInt8]) -> Bool {
        guard prefix.count >= 3 else { return false }  // perhaps a BOM still
        let t = normalize(prefix)
        guard t.count >= 3 else { return false }
        if t[0] != 0x2D || t[1] != 0x2D || t[2] != 0x2D { return true }
        var i = 3
        while i < t.count && (t[i] == 0x20 || t[i] == 0x09) { i += 1 }
        guard i < t.count else { return false }
        if t[i] != 0x0A { return true }  // normalized text has no `\r`
        guard let m = match(t) else { return false }
        return m.end > 0 && t[m.end - 1] == 0x0A  // closed by a newline, not by the end of the prefix
    }

    /// Decodes bytes as Python does with `errors="replace"`.
    public static func decode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The fields of a document: its frontmatter map, or no fields when it has no
    /// frontmatter, the frontmatter does not parse, or it is not a map.
    public static func fields(of bytes: [UInt8]) -> Fields {
        // Most files have no `\r` before the end of their frontmatter: then the match on the
        // bytes as they are is the match on the normalized text, and the (long) rest of the
        // file is never copied.
        let hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        var text = hasBOM ? Array(bytes[3...]) : bytes
        var found = match(text)
        let checked = found.map { min(text.count, $0.end + 1) } ?? text.count
        if hasCR(text[..<checked]) {
            text = normalize(bytes)
            found = match(text)
        }
        guard let m = found else { return Fields(map: OrderedMap(), error: nil) }
        if let map = text.withUnsafeBufferPointer({ YAMLSubset.simpleMap(UnsafeBufferPointer(rebasing: $0[m.yaml])) }) {
            Probe.simpleFrontmatter.hit()
            return Fields(map: map, error: nil)
        }
        Probe.fullFrontmatter.hit()
        do {
            let doc = try YAMLSubset.parse(decode(text[m.yaml]), keyLines: false)
            guard case .map(let map) = doc.value else {
                return Fields(map: OrderedMap(), error: "frontmatter must be a mapping of key: value")
            }
            return Fields(map: map, error: nil)
        } catch {
            return Fields(map: OrderedMap(), error: "line \(error.line): \(error.message)")
        }
    }

    /// A document's frontmatter fields, or why it has none.
    public struct Fields: Sendable {
        /// The top-level keys and values (empty when there are none or the block does not parse).
        public let map: OrderedMap
        /// Why the document has no fields although it has a frontmatter block.
        public let error: String?

        package init(map: OrderedMap, error: String?) {
            self.map = map
            self.error = error
        }
    }
}
