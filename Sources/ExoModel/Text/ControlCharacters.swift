/// What a person's terminal is shown of text that came from a repository (paths, ids,
/// values): every control character but newline and tab escaped (`\x1b`, `\x7f`, and
/// `\u{85}` for the C1 controls), so that a pushed file name can neither move the cursor,
/// clear the screen nor forge a line of the report, locally or as `remote:` lines; and each
/// byte of a name that is not UTF-8 as that byte (`caf\xe9.md`, the file's own name).
public enum ControlCharacters {
    /// `text` with its control characters escaped; the same string when it has none.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            guard isControl(c) else {
                out.append(c)
                continue
            }
            let shown: String
            if let byte = RawBytes.byte(c) {
                shown = "\\x" + String(byte, radix: 16)
            } else {
                let hex = String(c.value, radix: 16)
                shown = c.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
            out.append(contentsOf: shown.unicodeScalars)
        }
        return String(out)
    }

    /// C0 controls but newline and tab, DEL, the C1 controls, and the bytes of a name that
    /// is not UTF-8 (`RawBytes`: shown as `\xe9`, the byte the file's name holds).
    static func isControl(_ c: Unicode.Scalar) -> Bool {
        (c.value < 0x20 && c != "\n" && c != "\t") || (c.value >= 0x7F && c.value < 0xA0) || RawBytes.byte(c) != nil
    }
}
