import ExoSnapshot
import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel

/// Pure pieces tested on their own: claim's edit of one line, tighten-only composition and
/// its errors, and the guard report's words.
@Suite struct PurePiecesTests {
    func edit(_ text: String, _ who: String = "ann") throws -> (String?, Value?) {
        let (bytes, previous) = try Claim.edit(Array(text.utf8), assignee: who, rel: "changes/x.md")
        return (bytes.map { String(decoding: $0, as: UTF8.self) }, previous)
    }

    @Test func claimChangesOnlyTheAssigneeLine() throws {
        #expect(try edit("---\nstatus: active\nassignee: bob\n---\n# x\n").0 == "---\nstatus: active\nassignee: ann\n---\n# x\n")
        #expect(try edit("---\nstatus: active\n---\nbody\n").0 == "---\nstatus: active\nassignee: ann\n---\nbody\n")
        #expect(try edit("---\r\nstatus: active\r\n---\r\n").0 == "---\r\nstatus: active\r\nassignee: ann\r\n---\r\n")
        #expect(try edit("\u{FEFF}---\nstatus: draft\n---\n").0 == "\u{FEFF}---\nstatus: draft\nassignee: ann\n---\n")
        #expect(try edit("no frontmatter\n").0 == "---\nassignee: ann\n---\nno frontmatter\n")
        // already claimed: nothing to write, the previous assignee reported
        let (none, previous) = try edit("---\nassignee: ann\n---\n")
        #expect(none == nil && previous == .string("ann"))
        // a block value's continuation lines go with the old value
        #expect(try edit("---\nassignee: |\n  bob\n  carol\nstatus: x\n---\n").0 == "---\nassignee: ann\nstatus: x\n---\n")
        #expect(throws: ExoError.self) { try edit("---\n\tbad: tab\n---\n") }
        #expect(throws: ExoError.self) { try edit("---\n- a\n---\n") }
    }

    func toml(_ text: String) throws -> OrderedMap { try TOMLFile.parse(text: text, file: "t.toml") }

    @Test func compositionTightensAndRefusesToLoosen() throws {
        var c = Composition()
        try c.merge(toml("[types.change]\noptional = { status = \"enum:a|b|c\", touches = \"ref-list\" }\n"))
        try c.merge(toml("[types.change]\nrequired = { status = \"enum:a|b\" }\n"))  // optional -> required, narrowed
        func refused(_ text: String, _ words: String) throws {
            var copy = c
            do {
                try copy.merge(toml(text))
                Issue.record("accepted: \(text)")
            } catch let error as Composition.MergeError {
                #expect(error.cause.contains(words), "\(error.cause)")
            }
        }
        try refused("[types.change]\noptional = { status = \"enum:a|b\" }\n", "status")  // required -> optional
        try refused("[types.change]\noptional = { touches = \"ref\" }\n", "touches")  // another spec
        try refused("[types.change]\nrequired = { status = \"enum:a|b|z\" }\n", "status")  // widened enum
        var strict = Composition()
        try strict.merge(toml("[base]\nstrict = true\nallow_untyped = false\n"))
        var loose = strict
        #expect(throws: Composition.MergeError.self) { try loose.merge(toml("[base]\nstrict = false\n")) }
        loose = strict
        #expect(throws: Composition.MergeError.self) { try loose.merge(toml("[base]\nallow_untyped = true\n")) }
    }

    @Test func reportSaysTheEditToMake() {
        let doc = { (id: String, path: String, status: String, targets: [String], who: String?) in
            GraphDocument(id: id, path: path, status: .string(status), assignee: who.map { .string($0) }, targets: targets)
        }
        let base = Coordination(
            Graph(documents: [
                doc("a", "changes/a.md", "active", ["auth"], "alice"), doc("b", "changes/b.md", "draft", ["auth"], nil),
                GraphDocument(id: "auth", path: "modules/auth.md", status: nil, assignee: nil, targets: []),
            ]))
        let target = Coordination(
            Graph(documents: [
                doc("a", "changes/a.md", "active", ["auth"], "alice"), doc("b", "changes/b.md", "active", ["auth"], nil),
                GraphDocument(id: "auth", path: "modules/auth.md", status: nil, assignee: nil, targets: []),
            ]))
        let check = Guard.Check(
            base: "605415e", target: "index", title: "HEAD 605415e -> the staged changes",
            workspaces: [
                Guard.WorkspaceCheck(
                    root: "", diff: GraphDiff(base: base, target: target), branches: .none, refs: [:],
                    fields: ["b": ["auth": ["touches"]]], doubtful: [], doubtfulCount: 0, baseError: nil)
            ])
        let blocked = GuardReport(verdict: Guard.Verdict(mode: .block, checks: [check]), bypass: "git commit --no-verify")
        let text = blocked.text
        #expect(text.hasPrefix("exo-guard: blocked \u{2014} 1 new conflict(s) between active changes.\n"))
        #expect(text.contains("new conflict (HEAD 605415e -> the staged changes): a <-> b"))
        #expect(text.contains("b  changes/b.md  [activated here]"))
        #expect(text.contains("a  changes/a.md  assignee @alice"))
        #expect(text.contains("share: auth (modules/auth.md)"))
        #expect(
            text.contains(
                "next step: set `status:` in changes/b.md to something other than active, or drop `auth` from its `touches`; "
                    + "or agree with @alice, who holds a, on who goes first"))
        #expect(text.contains("To let this one through anyway: git commit --no-verify"))
        let hidden = GuardReport(verdict: Guard.Verdict(mode: .block, checks: [check]), bypass: nil).text
        #expect(!hidden.contains("--no-verify"))
        let warned = GuardReport(verdict: Guard.Verdict(mode: .warn, checks: [check]), bypass: nil).text
        #expect(warned.hasPrefix("exo-guard: warning") && warned.contains("(mode warn: going through)"))
    }

    /// What a push controls in the report is bounded: doubtful changes, targets in a line, a
    /// long value; `--json` says how many there are in all.
    @Test func reportBoundsWhatAPushCanMakeLong() throws {
        let targets = (0..<15).map { "m\($0)" }
        let doc = { (id: String, status: String) in
            GraphDocument(id: id, path: "changes/\(id).md", status: .string(status), assignee: nil, targets: targets)
        }
        let base = Coordination(Graph(documents: [doc("a", "active"), doc("b", "draft")]))
        let target = Coordination(Graph(documents: [doc("a", "active"), doc("b", "active")]))
        let long = String(repeating: "x", count: 5000)
        let doubtful = (0..<1500).map { n in
            Doubtful(id: "d\(n)", path: "changes/d\(n).md", why: Doubtful.noDocument, value: n == 0 ? long : "typo\(n)")
        }
        let check = Guard.Check(
            base: "605415e", target: "main", title: "a push",
            workspaces: [
                Guard.WorkspaceCheck(
                    root: "", diff: GraphDiff(base: base, target: target), branches: .none, refs: [:],
                    fields: ["b": Dictionary(uniqueKeysWithValues: targets.map { ($0, ["touches"]) })],
                    doubtful: Array(doubtful.prefix(Doubtful.kept)), doubtfulCount: doubtful.count, baseError: nil)
            ])
        let report = GuardReport(verdict: Guard.Verdict(mode: .block, checks: [check]), bypass: nil)
        let text = report.text
        let lines = text.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("exo-guard: doubtful") }.count == GuardReport.shownDoubtful)
        #expect(text.contains("exo-guard: and 1480 more doubtful change(s) (--json lists up to 1000)"))
        #expect(text.contains("`\(String(repeating: "x", count: 200))... (5000 bytes)`"))
        #expect(!text.contains(String(repeating: "x", count: 201)))
        #expect(text.contains("share: m0 (no document), m1 (no document),"))
        #expect(text.contains("m4 (no document) and 5 more\n"))
        #expect(text.contains("or drop `m0` and `m1` and "))
        #expect(text.contains(" and 5 more from its `touches`"))
        #expect(text.count < 10_000)
        let json = report.json
        #expect(json.contains("\"truncated\": true") || json.contains("\"truncated\":true"))
        #expect(json.contains("\"doubtful\": 1500") || json.contains("\"doubtful\":1500"))
        #expect(json.components(separatedBy: "\"why\"").count - 1 == GuardReport.jsonPairs)
    }

    /// Doubtful changes are counted whole and kept to the first `Doubtful.kept`, in order,
    /// without sorting every one (a change can point at millions of missing targets).
    @Test func doubtfulChangesAreCountedAndTheFirstKept() {
        var n = 0
        let descending = (0..<5000).reversed().map { Exact("t\(String($0 + 10000))") }
        #expect(Doubtful.smallest(descending, 3, counted: &n).map(\.string) == ["t10000", "t10001", "t10002"])
        #expect(n == 5000)
        #expect(Doubtful.smallest(descending, 0, counted: &n).isEmpty && n == 10000)
        let targets = (0..<1500).map { "m\($0)" }
        let docs = ["c", "a", "b"].map {
            GraphDocument(id: $0, path: "changes/\($0).md", status: .string("active"), assignee: nil, targets: targets)
        }
        let diff = GraphDiff(base: Coordination(.empty), target: Coordination(Graph(documents: docs)))
        let found = Doubtful.find(diff, snapshot: EmptySnapshot(), root: "")
        #expect(found.count == 4500 && found.first.count == Doubtful.kept)
        #expect(found.first.allSatisfy { $0.id == "a" } && found.first.first?.value == "m0")
        #expect(found.first.map(\.value) == targets.sorted { Exact($0) < Exact($1) }.prefix(Doubtful.kept).map { $0 })
    }

    /// A push of many refs into a repository with no commits: ten import lines, the rest counted.
    @Test func importsPastTheListedSectionsAreCounted() {
        let view = Coordination(Graph(documents: []))
        var checks: [Guard.Check] = []
        for n in 0..<15 {
            var check = Guard.Check(
                base: "empty", target: "t\(n)", title: "push of b\(n)",
                workspaces: [
                    Guard.WorkspaceCheck(
                        root: "", diff: GraphDiff(base: view, target: view), branches: .none, refs: [:], fields: [:],
                        doubtful: [], doubtfulCount: 0, baseError: nil)
                ])
            check.isImport = true
            checks.append(check)
        }
        let text = GuardReport(verdict: Guard.Verdict(mode: .block, checks: checks), bypass: nil).text
        #expect(text.components(separatedBy: "goes into a repository with no commits").count - 1 == GuardReport.shownSections)
        #expect(text.contains("exo-guard: and 5 more ref(s) going into a repository with no commits: imports, not new work."))
    }

    @Test func longPathsAreQuotedByTheirEnds() {
        let path = "changes/" + String(repeating: "d/", count: 1000) + "x.md"
        let shown = GuardReport.shown(path: path)
        #expect(shown.hasPrefix("changes/d/d/") && shown.hasSuffix("d/d/x.md (a path of 2012 bytes)"))
        #expect(shown.utf8.count < GuardReport.shownPathBytes + 40)
        #expect(GuardReport.shown(path: "changes/a.md") == "changes/a.md")
    }
}
