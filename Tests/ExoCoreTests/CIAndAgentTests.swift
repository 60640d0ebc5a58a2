import Testing

@testable import ExoCore
@testable import ExoModel

/// The pieces under `exo-guard ci` and `hook agent` on their own: the JSON reader against
/// the writer (member order kept, escapes, bounded nesting), the status line a finding
/// points at, and which shell lines skip the hooks.
@Suite struct CIAndAgentTests {
    @Test func jsonReadsBackWhatItWrites() throws {
        let value: JSON = .object([
            ("z", .number("1")), ("a", .array([.string("x\u{1B}\"\\\n\u{1F600}é"), .null, .bool(true)])),
            ("m", .object([("k", .number("-1.5e3"))])),
        ])
        let text = value.rendered()
        #expect(try JSON.read(Array(text.utf8), source: "t").rendered() == text)
        #expect(try JSON.read(Array(value.compact.utf8), source: "t").rendered() == text)
        #expect(try JSON.read(Array(#"{"a":1,"a":2}"#.utf8), source: "t")["a"]?.numberText == "2")
        #expect(try JSON.read(Array(#""\ud83d\ude00""#.utf8), source: "t").string == "\u{1F600}")
    }

    @Test func jsonRefusesWhatIsNotJSON() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"\u{01}\"", "1 2", "01x", String(repeating: "[", count: 600)] {
            #expect(throws: ExoError.self) { try JSON.read(Array(bad.utf8), source: "t") }
        }
    }

    @Test func statusLineIsTheLineOfTheStatusKey() {
        #expect(Guard.statusLine(Array("---\ntouches: [a]\nstatus: active\n---\n".utf8)) == 3)
        #expect(Guard.statusLine(Array("---\r\nstatus: active\r\n---\r\n".utf8)) == 2)
        #expect(Guard.statusLine(Array("---\ntouches: [a]\n---\nstatus: in the body\n".utf8)) == 1)
        #expect(Guard.statusLine(Array("no frontmatter\nstatus: x\n".utf8)) == 1)
    }

    @Test func shellLinesThatSkipTheHooks() {
        for line in [
            "git commit --no-verify", "git commit -n", "git commit -anm x", "x && git push --no-verify origin",
            "git -C d merge --no-verify t", "EXO_GUARD_MODE=off git commit", "git -c core.hooksPath=/dev/null commit",
            "(cd a; git commit -qn -m 'x')",
        ] {
            #expect(HookBypass.reason(in: line) != nil, "\(line)")
        }
        for line in [
            "git commit -m '-n'", "git commit -mn", "git log -n 3", "echo git commit --no-verify", "git push",
            "git commit -m \"--no-verify\"", "gitk --no-verify",
        ] {
            #expect(HookBypass.reason(in: line) == nil, "\(line)")
        }
    }
}
