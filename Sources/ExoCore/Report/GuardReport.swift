/// The guard's report: for people in a terminal (plain text, colour only when asked),
/// and one JSON object for machines.
public struct GuardReport {
    public let verdict: Guard.Verdict
    /// How to bypass once, e.g. `git commit --no-verify`; nil on a server.
    public let bypass: String?
    public let verbose: Bool
    public let colour: Bool

    public init(verdict: Guard.Verdict, bypass: String?, verbose: Bool = false, colour: Bool = false) {
        self.verdict = verdict
        self.bypass = bypass
        self.verbose = verbose
        self.colour = colour
    }

    private func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// The text report; empty when there is nothing to say (no workspace, nothing new or existing).
    public var text: String {
        var out = ""
        let decision = verdict.decision
        let newCount = verdict.checks.flatMap(\.workspaces).reduce(0) { $0 + $1.diff.new.count }
        switch decision {
        case .block:
            out += paint("exo-guard: blocked", "1;31") + " \u{2014} \(newCount) new conflict(s) between active changes.\n"
        case .warn:
            out += paint("exo-guard: warning", "1;33") + " \u{2014} \(newCount) new conflict(s) between active changes (mode warn: going through).\n"
        case .pass:
            break
        }
        for check in verdict.checks {
            for ws in check.workspaces {
                out += section(check: check, ws)
            }
        }
        if decision != .pass {
            out += "\n  What to do: coordinate with the other change's assignee, narrow the refs of the change\n"
            out += "  you activated or widened, or give one of the two changes another status than active.\n"
            if let bypass, decision == .block {
                out += "  To let this one through: \(bypass), or EXO_GUARD_MODE=warn (git config exo.mode warn to keep it).\n"
            }
        }
        return out
    }

    private func section(check: Guard.Check, _ ws: Guard.WorkspaceCheck) -> String {
        let diff = ws.diff
        var out = ""
        let place = ws.root.isEmpty ? "" : " in workspace \(ws.root)/"
        let span = check.base == check.target ? "" : " (\(short(check.base)) -> \(short(check.target)))"
        for c in diff.new {
            out += "\n  new conflict\(place)\(span): \(c.a) <-> \(c.b)\n"
            for id in [c.a, c.b] {
                out += "    \(id)  \(path(ws, diff.target, id))\(sideNote(diff.change(of: id, in: c)))\(assignee(diff.target, id))\n"
            }
            let shared = c.shared.map { t -> String in
                guard let node = diff.target.node(t) else { return t + " (no document)" }
                return "\(t) (\(prefixed(ws, node.path)))"
            }
            out += "    share: \(shared.joined(separator: ", "))\n"
        }
        if verbose {
            for c in diff.existing { out += "  existing\(place): \(c.a) <-> \(c.b)  share: \(c.shared.joined(separator: ", "))\n" }
            for c in diff.resolved { out += "  resolved\(place): \(c.a) <-> \(c.b)\n" }
        } else if !diff.existing.isEmpty {
            out += "\n  \(diff.existing.count) existing conflict(s)\(place) unchanged (exo-guard conflicts lists them).\n"
        }
        if !diff.resolved.isEmpty && !verbose {
            out += "  \(diff.resolved.count) conflict(s)\(place) resolved.\n"
        }
        return out
    }

    private func short(_ label: String) -> String {
        label.utf8.count == 40 && label.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) ? String(label.prefix(10)) : label
    }

    private func prefixed(_ ws: Guard.WorkspaceCheck, _ rel: String) -> String { SnapPath.join(ws.root, rel) }

    private func path(_ ws: Guard.WorkspaceCheck, _ view: Coordination, _ id: String) -> String {
        view.node(id).map { prefixed(ws, $0.path) } ?? "?"
    }

    private func sideNote(_ change: GraphDiff.SideChange) -> String {
        switch change {
        case .activated: return "  [activated here]"
        case .widened(let added): return "  [widened here: now also points at \(added.joined(separator: ", "))]"
        case .unchanged: return ""
        }
    }

    private func assignee(_ view: Coordination, _ id: String) -> String {
        guard let a = view.node(id)?.assignee, a.isTruthy else { return "" }
        return "  assignee @\(a.pythonStr)"
    }

    /// One JSON object: decision, mode, base, target, new, existing, resolved, activated.
    public var json: String {
        let checks = verdict.checks
        let all = checks.flatMap(\.workspaces).map(\.diff)
        func labels(_ f: (Guard.Check) -> String) -> JSON {
            checks.count == 1 ? .string(f(checks[0])) : .array(checks.map { .string(f($0)) })
        }
        return JSON.object([
            ("decision", .string(verdict.decision.rawValue)),
            ("mode", .string(verdict.mode.rawValue)),
            ("base", labels(\.base)),
            ("target", labels(\.target)),
            ("new", .array(all.flatMap(\.new).map(ExoOutput.conflictJSON))),
            ("existing", .array(all.flatMap(\.existing).map(ExoOutput.conflictJSON))),
            ("resolved", .array(all.flatMap(\.resolved).map(ExoOutput.conflictJSON))),
            ("activated", .strings(all.flatMap(\.activated))),
        ]).rendered() + "\n"
    }
}
