import ExoGit
import ExoGraph
import ExoModel
import ExoRules

/// The guard's report as JSON (`--json`, and the audit log's members).
extension GuardReport {
    /// One JSON object: decision, mode, base, target, new, existing, resolved, activated.
    /// A pair across branches carries `ref`: the full name of the ref `b` is in flight on.
    public var json: String { members.rendered() + "\n" }

    /// The members of the JSON object, for `json` and the audit log.
    public var members: JSON {
        let checks = verdict.checks
        let workspaces = checks.flatMap(\.workspaces)
        func labels(_ f: (Guard.Check) -> String) -> JSON {
            checks.count == 1 ? .string(f(checks[0])) : .array(checks.map { .string(f($0)) })
        }
        func pairs(
            _ local: (Guard.WorkspaceCheck) -> [Coordination.Conflict],
            _ cross: (Guard.WorkspaceCheck) -> [CrossConflict]
        ) -> [JSON] {
            // At most `jsonPairs` pairs, holding at most `GraphDiff.keptEntries` shared targets.
            var out: [JSON] = []
            var entries = 0
            func room(_ shared: [String]) -> Bool {
                guard out.count < Self.jsonPairs && entries + shared.count <= GraphDiff.keptEntries else { return false }
                entries += shared.count
                return true
            }
            for ws in workspaces {
                for c in local(ws) where room(c.shared) { out.append(ExoOutput.conflictJSON(c)) }
                for c in cross(ws) where room(c.shared) {
                    var members: [(String, JSON)] = [
                        ("a", .string(c.a)), ("b", .string(c.b)), ("shared", .strings(c.shared)),
                        ("ref", .string(c.bRef ?? "")),
                    ]
                    if let n = c.bRef.flatMap({ ws.refs[$0] })?.alsoHeld(c.b), n > 0 {
                        members.append(("also", .number(String(n))))
                    }
                    out.append(.object(members))
                }
            }
            return out
        }
        let new = pairs(\.diff.new, \.branches.new)
        let existing = pairs(\.diff.existing, \.branches.existing)
        let resolved = pairs(\.diff.resolved, \.branches.resolved)
        let activated = Array(workspaces.lazy.flatMap(\.diff.activated).prefix(Self.jsonPairs))
        let doubtful = workspaces.lazy.flatMap(\.doubtful).prefix(Self.jsonPairs)
        var extra: [(String, JSON)] = [
            (
                "doubtful",
                .array(
                    doubtful.map { d in
                        .object([
                            ("id", .string(d.id)), ("path", .string(d.path)), ("why", .string(d.why)),
                            ("value", .string(d.value)),
                        ])
                    })
            )
        ]
        var seen = Set<String>()
        let unreadable = checks.flatMap(\.unreadable).filter { seen.insert($0.ref).inserted }
        if !unreadable.isEmpty {
            extra.append(
                ("unreadable", .array(unreadable.map { .object([("ref", .string($0.ref)), ("error", .string($0.error))]) })))
        }
        let baseErrors = workspaces.compactMap(\.baseError)
        if let first = baseErrors.first { extra.append(("base_error", .string(first.description))) }
        if let error = verdict.targetError { extra.append(("error", .string(error.description))) }
        if checks.contains(where: \.isImport) { extra.append(("import", .bool(true))) }
        // Past the limit the lists are cut, and say so with the totals.
        let totals = [
            ("new", workspaces.reduce(0) { $0 + $1.diff.counts.new + $1.branches.new.count }),
            ("existing", workspaces.reduce(0) { $0 + $1.diff.counts.existing + $1.branches.existing.count }),
            ("resolved", workspaces.reduce(0) { $0 + $1.diff.counts.resolved + $1.branches.resolved.count }),
            ("activated", workspaces.reduce(0) { $0 + $1.diff.activated.count }),
            ("doubtful", workspaces.reduce(0) { $0 + $1.doubtfulCount }),
        ]
        let listed = [new.count, existing.count, resolved.count, activated.count, doubtful.count]
        if zip(totals, listed).contains(where: { $0.0.1 > $0.1 }) {
            extra.append(("truncated", .bool(true)))
            extra.append(("totals", .object(totals.map { ($0.0, .number(String($0.1))) })))
        }
        return JSON.object(
            [
                ("decision", .string(verdict.decision.rawValue)),
                ("mode", .string(verdict.mode.rawValue)),
                ("base", labels(\.base)),
                ("target", labels(\.target)),
                ("new", .array(new)),
                ("existing", .array(existing)),
                ("resolved", .array(resolved)),
                ("activated", .strings(activated)),
            ] + extra
        )
    }
}
