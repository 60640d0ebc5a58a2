#if canImport(Glibc)
    import Glibc
#endif
/// tropo's frontmatter language: a small YAML subset, parsed exactly as tropo parses it.
///
/// Block maps, block lists of scalars, inline `[a, b]` lists, quoted scalars, `#`
/// comments, `|`/`>` block text, `~`/`null`, booleans in three casings, ints, floats;
/// everything else is a string. This is not YAML: `key: value` inside a list item,
/// tab indentation and duplicate keys are errors, quotes are not unescaped.
public enum YAMLSubset {
    /// Why a frontmatter block does not parse, in tropo's words, and where.
    public struct ParseError: Error, Equatable, Sendable {
        /// tropo's message.
        public let message: String
        /// The line of the block, from 1.
        public let line: Int
    }

    /// A parsed top-level document: its value and, when it is a map, the line of each key.
    public struct Document: Sendable {
        /// The document's value (a map for frontmatter).
        public let value: Value
        /// The line of each top-level key.
        public let keyLines: [String: Int]
    }

    /// `keyLines: false` skips recording the line of each top-level key (only `claim` needs them).
    public static func parse(_ text: String, keyLines: Bool = true) throws(ParseError) -> Document {
        var parser = Parser(lines: try logicalLines(text))
        parser.recordKeyLines = keyLines
        let value = try parser.parseBlock(minIndent: 0)
        if parser.pos < parser.lines.count {
            throw ParseError(message: "could not parse document past this line", line: parser.lines[parser.pos].number)
        }
        return Document(value: value ?? .map(OrderedMap()), keyLines: parser.topKeyLines)
    }

    struct Line {
        let number: Int
        let indent: Int
        let content: String
    }

    /// Lines with comments cut and blank lines dropped, as tropo prepares them.
    static func logicalLines(_ text: String) throws(ParseError) -> [Line] {
        var lines: [Line] = []
        var text = text
        var failure: ParseError? = nil
        // `\n` never occurs inside a UTF-8 sequence: splitting the bytes splits the scalars.
        text.withUTF8 { all in
            var start = 0
            var number = 0
            while start <= all.count {
                var end = start
                while end < all.count && all[end] != 0x0A { end += 1 }
                number += 1
                switch Result(catching: { () throws(ParseError) -> Line? in
                    try logicalLine(UnsafeBufferPointer(rebasing: all[start..<end]), number: number)
                }) {
                case .success(let line): if let line { lines.append(line) }
                case .failure(let error):
                    failure = error
                    return
                }
                start = end + 1
            }
        }
        if let failure { throw failure }
        return lines
    }

    /// One line with its comment cut; nil when nothing is left.
    private static func logicalLine(_ b: UnsafeBufferPointer<UInt8>, number: Int) throws(ParseError) -> Line? {
        var ascii = true
        for byte in b where byte >= 0x80 {
            ascii = false
            break
        }
        if ascii {
            // ASCII: the same steps on bytes.
            var lead = 0
            while lead < b.count && PythonText.isASCIISpace(b[lead]) {
                if b[lead] == 0x09 { throw ParseError(message: "tab character used for indentation", line: number) }
                lead += 1
            }
            var end = commentStart(b)
            while end > 0 && PythonText.isASCIISpace(b[end - 1]) { end -= 1 }
            if lead >= end { return nil }
            var indent = 0
            while indent < end && b[indent] == 0x20 { indent += 1 }
            return Line(
                number: number, indent: indent,
                content: String(decoding: UnsafeBufferPointer(rebasing: b[lead..<end]), as: UTF8.self))
        }
        let line = String(decoding: b, as: UTF8.self)
        let leading = line.unicodeScalars.prefix(PythonText.leadingSpaceCount(line))
        if leading.contains("\t") { throw ParseError(message: "tab character used for indentation", line: number) }
        let stripped = PythonText.rstrip(String(decoding: UnsafeBufferPointer(rebasing: b[..<commentStart(b)]), as: UTF8.self))
        let content = PythonText.strip(stripped)
        if content.isEmpty { return nil }
        let indent = stripped.unicodeScalars.prefix(while: { $0 == " " }).count
        return Line(number: number, indent: indent, content: content)
    }

    /// Where a `#` comment starts: one that starts the line or follows a space or tab,
    /// outside quotes (the line's length when there is none). Every character that matters
    /// is ASCII, and no UTF-8 sequence contains an ASCII byte, so this works on any line.
    static func commentStart(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var inSingle = false
        var inDouble = false
        var previous: UInt8? = nil
        for (i, ch) in b.enumerated() {
            if ch == 0x27 && !inDouble {
                inSingle.toggle()
            } else if ch == 0x22 && !inSingle {
                inDouble.toggle()
            } else if ch == 0x23 && !inSingle && !inDouble && (previous == nil || previous == 0x20 || previous == 0x09) {
                return i
            }
            previous = ch
        }
        return b.count
    }

    /// tropo's `KEY_RE`: `^([^:\s][^:]*?):(\s+(.*)|\s*)$` — the key before the first
    /// colon and the rest after the whitespace that must follow it.
    static func matchKey(_ content: String) -> (key: String, rest: String)? {
        var text = content
        if let ascii = text.withUTF8({ b -> (key: String, rest: String)?? in
            for byte in b where byte >= 0x80 { return .none }
            // ASCII: the same match on bytes.
            guard let first = b.first, first != 0x3A, !PythonText.isASCIISpace(first),
                let colon = b.firstIndex(of: 0x3A)
            else { return .some(nil) }
            var restStart = colon + 1
            if restStart < b.count && !PythonText.isASCIISpace(b[restStart]) { return .some(nil) }
            while restStart < b.count && PythonText.isASCIISpace(b[restStart]) { restStart += 1 }
            return .some(
                (
                    String(decoding: UnsafeBufferPointer(rebasing: b[..<colon]), as: UTF8.self),
                    String(decoding: UnsafeBufferPointer(rebasing: b[restStart...]), as: UTF8.self)
                ))
        }) {
            return ascii
        }
        let scalars = content.unicodeScalars
        guard let first = scalars.first, first != ":", !PythonText.isSpace(first),
            let colon = scalars.firstIndex(of: ":")
        else { return nil }
        let after = scalars[scalars.index(after: colon)...]
        if let next = after.first, !PythonText.isSpace(next) { return nil }
        let rest = after.drop(while: { PythonText.isSpace($0) })
        return (String(scalars[..<colon]), String(rest))
    }

    struct Parser {
        let lines: [Line]
        var pos = 0
        var topKeyLines: [String: Int] = [:]
        var recordKeyLines = true
        private var depth = 0

        init(lines: [Line]) { self.lines = lines }

        /// Deeper nesting than this is refused (tropo itself stops with a RecursionError
        /// near Python's limit of 1000 frames); the document then has no fields.
        static let maxDepth = 500

        mutating func parseBlock(minIndent: Int) throws(ParseError) -> Value? {
            guard pos < lines.count else { return nil }
            let line = lines[pos]
            if depth >= Self.maxDepth { throw ParseError(message: "nesting too deep", line: line.number) }
            if line.indent < minIndent { return nil }
            if isListItem(line.content) { return try parseList(blockIndent: line.indent) }
            return try parseMap(blockIndent: line.indent)
        }

        mutating func parseValue(_ restRaw: String, parentIndent: Int) throws(ParseError) -> Value {
            let rest = PythonText.strip(restRaw)
            if rest.utf8.count <= 2 {  // the markers below are all this short
                switch Exact(rest) {
                case "|", ">", "|-", ">-", "|+", ">+":
                    var chunks: [String] = []
                    while pos < lines.count, lines[pos].indent > parentIndent {
                        chunks.append(lines[pos].content)
                        pos += 1
                    }
                    return .string(chunks.joined(separator: "\n"))
                case "{}":
                    return .map(OrderedMap())
                case "":
                    return try parseBlock(minIndent: parentIndent + 1) ?? .null
                default:
                    break
                }
            }
            if isBracketed(rest) { return inlineList(rest) }
            return scalar(rest)
        }

        mutating func parseMap(blockIndent: Int) throws(ParseError) -> Value {
            var result = OrderedMap()
            let isTop = depth == 0
            depth += 1
            defer { depth -= 1 }
            while pos < lines.count {
                let line = lines[pos]
                if line.indent < blockIndent { break }
                if line.indent > blockIndent { throw ParseError(message: "unexpected indentation", line: line.number) }
                if line.content.utf8.starts(with: "- ".utf8) {
                    throw ParseError(message: "list item inside mapping", line: line.number)
                }
                guard let (rawKey, rest) = matchKey(line.content) else {
                    throw ParseError(message: "cannot parse line: \(PythonString.repr(line.content))", line: line.number)
                }
                let key = stripQuotes(PythonText.strip(rawKey))
                if result.contains(key) {
                    throw ParseError(message: "duplicate key \(PythonString.repr(key))", line: line.number)
                }
                pos += 1
                result.set(key, try parseValue(rest, parentIndent: blockIndent))
                if isTop && recordKeyLines { topKeyLines[key] = line.number }
            }
            return .map(result)
        }

        mutating func parseList(blockIndent: Int) throws(ParseError) -> Value {
            var result: [Value] = []
            while pos < lines.count {
                let line = lines[pos]
                guard line.indent == blockIndent, isListItem(line.content) else { break }
                let item = PythonText.strip(String(line.content.unicodeScalars.dropFirst()))
                pos += 1
                if item.isEmpty {
                    result.append(.null)
                } else if matchKey(item) != nil && !item.utf8.starts(with: "http:".utf8) && !item.utf8.starts(with: "https:".utf8)
                {
                    throw ParseError(message: "mapping inside list is not supported in frontmatter", line: line.number)
                } else if isBracketed(item) {
                    result.append(inlineList(item))
                } else {
                    result.append(scalar(item))
                }
            }
            return .list(result)
        }
    }

    static func isListItem(_ content: String) -> Bool {
        content.utf8.starts(with: "- ".utf8) || content.utf8.elementsEqual("-".utf8)
    }

    static func isBracketed(_ s: String) -> Bool {
        s.utf8.first == UInt8(ascii: "[") && s.utf8.last == UInt8(ascii: "]")
    }

    /// Python's `s.strip("\"'")`.
    static func stripQuotes(_ s: String) -> String {
        guard let f = s.utf8.first, let l = s.utf8.last, f == 0x22 || f == 0x27 || l == 0x22 || l == 0x27 else { return s }
        var v = Substring(s).unicodeScalars
        while let f = v.first, f == "\"" || f == "'" { v.removeFirst() }
        while let l = v.last, l == "\"" || l == "'" { v.removeLast() }
        return String(v)
    }
}
