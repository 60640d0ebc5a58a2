import Testing

@testable import ExoCore
@testable import ExoModel

/// tropo's YAML subset and frontmatter extraction on the awkward cases.
@Suite struct FrontmatterTests {
    func fields(_ text: String) -> OrderedMap { Frontmatter.fields(of: Array(text.utf8)).map }

    func parse(_ yaml: String) throws -> Value { try YAMLSubset.parse(yaml).value }

    func error(_ yaml: String) -> YAMLSubset.ParseError? {
        do {
            _ = try YAMLSubset.parse(yaml)
            return nil
        } catch { return error }
    }

    @Test func tabIndentationIsAnError() {
        #expect(error("a:\n\t- x") == .init(message: "tab character used for indentation", line: 2))
    }

    @Test func duplicateKeys() {
        #expect(error("a: 1\nb: 2\na: 3") == .init(message: "duplicate key 'a'", line: 3))
    }

    @Test func listOfMapsIsAnError() throws {
        #expect(error("a:\n  - k: v")?.message == "mapping inside list is not supported in frontmatter")
        #expect(try parse("a:\n  - http://x") == .map(map(["a": .list([.string("http://x")])])))
    }

    @Test func quotesAndComments() throws {
        let v = try parse("a: 'x # y' # z\nb: \"q\"#r\nc: v#w")
        #expect(v == .map(map(["a": .string("x # y"), "b": .string("\"q\"#r"), "c": .string("v#w")])))
    }

    @Test func blockText() throws {
        #expect(try parse("a: |\n  one\n    two\nb: 1") == .map(map(["a": .string("one\ntwo"), "b": .int("1")])))
    }

    @Test func scalars() throws {
        #expect(YAMLSubset.scalar("1_000") == .int("1000"))
        #expect(YAMLSubset.scalar("-007") == .int("-7"))
        #expect(YAMLSubset.scalar("1e3") == .float(1000))
        #expect(YAMLSubset.scalar("0x10") == .string("0x10"))
        #expect(YAMLSubset.scalar("TRUE") == .bool(true))
        #expect(YAMLSubset.scalar("tRUE") == .string("tRUE"))
        #expect(YAMLSubset.scalar("~") == .null)
        #expect(YAMLSubset.scalar("'a'") == .string("a"))
        #expect(YAMLSubset.inlineList("[a, [b, c], ]") == .list([.string("a"), .string("[b, c]"), .null]))
    }

    @Test func bomAndLineEndings() {
        #expect(fields("\u{FEFF}---\r\nstatus: active\r\n---\r\n")["status"] == .string("active"))
        #expect(fields("---\rstatus: active\r---\r")["status"] == .string("active"))
        #expect(fields("---\nstatus: active\n---")["status"] == .string("active"))
        #expect(fields("---\nstatus: active\n----\n").isEmpty)
        #expect(fields(" ---\nstatus: active\n---\n").isEmpty)
    }

    @Test func invalidUTF8IsReplaced() {
        let bytes: [UInt8] = Array("---\nstatus: ".utf8) + [0xFF, 0xED, 0xA0, 0x80] + Array("\n---\n".utf8)
        #expect(Frontmatter.fields(of: bytes).map["status"] == .string("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"))
    }

    @Test func notAMapHasNoFields() {
        #expect(fields("---\n- a\n---\n").isEmpty)
        #expect(Frontmatter.fields(of: Array("---\n- a\n---\n".utf8)).error != nil)
    }

    private func map(_ pairs: KeyValuePairs<String, Value>) -> OrderedMap {
        var m = OrderedMap()
        for (k, v) in pairs { m.set(k, v) }
        return m
    }

    /// `strip` trims ASCII ends on the bytes and hands a non-ASCII end to the scalar-wise
    /// definition: on random strings of spaces, controls, Unicode whitespace and letters, it
    /// equals that definition (Python's `str.strip()`).
    @Test func stripEqualsTheScalarWiseDefinition() {
        let alphabet: [String] = [
            " ", "\t", "\n", "\u{0B}", "\u{1C}", "\u{1F}", "\u{85}", "\u{A0}", "\u{3000}", "a", "é", "-", "\u{2028}",
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let s = (0..<Int.random(in: 0...7, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            #expect(PythonText.strip(s) == String(PythonText.strip(Substring(s).unicodeScalars)), "\(Array(s.unicodeScalars))")
        }
    }

    /// The one-pass read of the common shape gives what the full parser gives, and answers
    /// for most blocks made of the pieces frontmatter is made of (so that a fast path that
    /// always declined would fail here): random blocks of keys, separators and values,
    /// the awkward ones among them (comments, quotes, blocks, nesting, numbers, controls).
    @Test func simpleMapAgreesWithTheFullParser() {
        let keys = ["status", "touches", "a", "b c", "k ", "-k", ":", " a", "  - x", "- a", "x", "é", "a\tb", "#k", "'q'"]
        let separators = [": ", ":", ":  ", " : ", ":x", ": \t"]
        let values = [
            "active", "done", "agent-1", "1", "1.5", "-3", "+4", "007", "1_000", "1e3", "0x10", "inf", "nan", "NaN", "true",
            "TRUE", "tRUE", "False", "~", "null", "None", "", "[a, b]", "[mod-1863]", "[]", "[ a ,, ]", "[a, [b]]", "[a",
            "a]", "[1, true, ~, x y]", "|", ">-", "'q'", "\"x\"", "x # y", "# c", "{}", "{a}", "http://x", "é", "a: b",
            "a long value with spaces", "  ", "it's", "[\"a\", b]",
        ]
        var rng = SystemRandomNumberGenerator()
        var answered = 0
        let rounds = 4000
        for _ in 0..<rounds {
            let lines = (0..<Int.random(in: 0...5, using: &rng)).map { _ -> String in
                if Int.random(in: 0..<8, using: &rng) == 0 { return ["", "  ", "   - y", "\t"].randomElement(using: &rng)! }
                return keys.randomElement(using: &rng)! + separators.randomElement(using: &rng)! + values.randomElement(
                    using: &rng)!
            }
            let text = lines.joined(separator: "\n")
            let bytes = Array(text.utf8)
            guard let simple = bytes.withUnsafeBufferPointer({ YAMLSubset.simpleMap($0) }) else { continue }
            answered += 1
            // Compared as text, where a NaN reads as itself.
            let full = (try? YAMLSubset.parse(text, keyLines: false).value).map { String(describing: $0) }
            #expect(full == String(describing: Value.map(simple)), "\(text.debugDescription)")
        }
        #expect(answered > rounds / 10, "the one-pass read declined \(rounds - answered) of \(rounds) blocks")
    }

    /// A common block is read by the one-pass read (its probe), one with a comment by the
    /// full parser, and both give the fields exo reads.
    @Test func commonFrontmatterTakesTheOnePassRead() {
        let (common, seen) = Probe.recorded {
            fields("---\nstatus: active\ntouches: [auth, billing]\nassignee: alice\n---\n# T\n")
        }
        #expect(
            common
                == map([
                    "status": .string("active"), "touches": .list([.string("auth"), .string("billing")]),
                    "assignee": .string("alice"),
                ]))
        #expect(seen[.simpleFrontmatter] == 1 && seen[.fullFrontmatter] == 0)
        // A block of more lines than the one-pass read takes (its duplicate keys are found by
        // comparing each with those before) goes to the full parser, with the same fields.
        let long = (0..<40).map { "k\($0): v\($0)" }.joined(separator: "\n")
        #expect(Array(long.utf8).withUnsafeBufferPointer { YAMLSubset.simpleMap($0) } == nil)
        let (many, seenMany) = Probe.recorded { fields("---\n\(long)\n---\n") }
        #expect(many.keys.count == 40 && many["k39"] == .string("v39") && seenMany[.fullFrontmatter] == 1)
        let (commented, seenFull) = Probe.recorded { fields("---\nstatus: active # for now\n---\n") }
        #expect(commented == map(["status": .string("active")]))
        #expect(seenFull[.simpleFrontmatter] == 0 && seenFull[.fullFrontmatter] == 1)
    }
}
