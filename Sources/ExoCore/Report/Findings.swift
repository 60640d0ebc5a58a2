import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

/// A report's findings one by one, each at a place in a change document, for the CI
/// formats (GitHub workflow commands, SARIF, GitLab Code Quality): every new conflict
/// (located at the document of the side the commit activated or widened, the line's side
/// for a pair across branches), every change taken up twice, every doubtful change.
public struct Finding: Sendable {
    /// The rule: `new-conflict`, `taken-up-twice` or `doubtful`.
    public let rule: String
    /// `error` (it blocks) or `warning` (mode warn, or a doubtful change without exo.strict).
    public let level: String
    /// The document, relative to the repository's top.
    public let path: String
    /// The 1-based line of its `status:` field.
    public let line: Int
    /// A short title.
    public let title: String
    /// What is wrong and the next step, on one line.
    public let message: String
    /// The same for the same finding in every run (what it is, not where the text sits).
    public let fingerprint: String

    /// The rules, in the order SARIF lists them: id, name, what it finds.
    public static let rules: [(id: String, name: String, text: String)] = [
        ("new-conflict", "NewConflict", "Two active changes point at the same target, newly with this commit or push."),
        ("taken-up-twice", "TakenUpTwice", "The same change is taken up on two lines of work."),
        ("doubtful", "DoubtfulChange", "A change no guard can judge with confidence."),
    ]
}

extension GuardReport {
    /// Every finding of the verdict, in report order (imports have none).
    public var findings: [Finding] {
        var out: [Finding] = []
        let level = verdict.decision == .block ? "error" : "warning"
        for check in verdict.checks where !check.isImport {
            for ws in check.workspaces {
                let diff = ws.diff
                func place(_ id: String) -> (String, Int) {
                    let path = diff.target.node(id)?.path ?? ""
                    return (SnapPath.join(ws.root, path), ws.statusLines[path] ?? 1)
                }
                for c in diff.new.prefix(Guard.locatedPairs) {
                    let changed = [c.a, c.b].first { diff.change(of: $0, in: c) != .unchanged } ?? c.a
                    let other = changed == c.a ? c.b : c.a
                    let (path, line) = place(changed)
                    let step = nextStep(
                        ws, changed, shared: c.shared, other: other, otherAssignee: diff.target.node(other)?.assignee)
                    out.append(
                        Finding(
                            rule: "new-conflict", level: level, path: path, line: line,
                            title: "new conflict: \(c.a) <-> \(c.b)",
                            message:
                                "\(c.a) and \(c.b) both point at \(c.shared.joined(separator: ", ")) (\(check.title)). Next step: \(step).",
                            fingerprint: Self.fingerprint(["new-conflict", ws.root, c.a, c.b])))
                }
                for c in ws.branches.new.prefix(Guard.locatedPairs) {
                    let ref = c.bRef.flatMap { ws.refs[$0] }
                    let refName = c.bRef.map { RefName.short($0) } ?? "another line"
                    let (path, line) = place(c.a)
                    let holder = ref?.state(of: c.b)?.assignee
                    let step = nextStep(
                        ws, c.a, shared: c.shared, other: c.b, otherAssignee: holder,
                        otherRef: c.bRef.map { RefName.short($0) })
                    let twice = c.a == c.b
                    out.append(
                        Finding(
                            rule: twice ? "taken-up-twice" : "new-conflict", level: level, path: path, line: line,
                            title: twice
                                ? "\(c.a) is taken up on \(refName) too" : "new conflict: \(c.a) <-> \(c.b) on \(refName)",
                            message: (twice
                                ? "\(c.a) is taken up here and on \(refName)"
                                : "\(c.a) and \(c.b) (in flight on \(refName)) both point at \(c.shared.joined(separator: ", "))")
                                + " (\(check.title)). Next step: \(step).",
                            fingerprint: Self.fingerprint([
                                twice ? "taken-up-twice" : "new-conflict", ws.root, c.a, c.b, c.bRef ?? "",
                            ])))
                }
                for d in ws.doubtful {
                    let path = SnapPath.join(ws.root, d.path)
                    out.append(
                        Finding(
                            rule: "doubtful", level: verdict.strict && level == "error" ? "error" : "warning", path: path,
                            line: ws.statusLines[d.path] ?? 1, title: "doubtful: \(d.id)",
                            message:
                                "\(d.id) \(d.why == Doubtful.takenUpElsewhere ? "is taken up in the very state, with no assignee, that \(RefName.short(d.value)) holds" : d.why): \(d.value)",
                            fingerprint: Self.fingerprint(["doubtful", ws.root, d.id, d.why, d.value])))
                }
            }
        }
        return out
    }

    /// FNV-1a (64 bits) of the parts joined by NUL, in hex: a fingerprint, not a secret.
    static func fingerprint(_ parts: [String]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in parts.joined(separator: "\u{0}").utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
