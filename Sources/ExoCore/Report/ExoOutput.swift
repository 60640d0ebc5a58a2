import ExoGraph

/// exo's own output for `conflicts`, `board` and `roles`, text and JSON, word for word.
public enum ExoOutput {
    public static func conflicts(_ view: Coordination, json: Bool) -> String {
        let active = view.active
        let conflicts = view.conflicts
        if json { return conflictsJSON(active: active, conflicts: conflicts) }
        if conflicts.isEmpty { return "exo: no conflicts among \(active.count) active work item(s)\n" }
        var out: [UInt8] = []
        out.reserveCapacity(64 + conflicts.count * 48)
        out += "exo: \(conflicts.count) conflict(s) among \(active.count) active work item(s):\n".utf8
        for c in conflicts {
            out += "  ".utf8
            JSON.append(c.a, to: &out)
            out += " <-> ".utf8
            JSON.append(c.b, to: &out)
            out += "  share: ".utf8
            for (i, target) in c.shared.enumerated() {
                if i > 0 { out += ", ".utf8 }
                JSON.append(target, to: &out)
            }
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `{"active": [...], "conflicts": [{"a", "b", "shared"}...]}` as `JSON.rendered` writes
    /// it, written straight out: a conflict list may run to a megabyte.
    static func conflictsJSON(active: [String], conflicts: [Coordination.Conflict]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64 + active.count * 16 + conflicts.count * 96)
        func strings(_ items: [String], level: Int) {
            if items.isEmpty {
                out += "[]".utf8
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSON.newline(&out, 2 * (level + 1))
                JSON.quote(item, into: &out)
            }
            JSON.newline(&out, 2 * level)
            out.append(UInt8(ascii: "]"))
        }
        out += "{\n  \"active\": ".utf8
        strings(active, level: 1)
        out += ",\n  \"conflicts\": ".utf8
        if conflicts.isEmpty {
            out += "[]".utf8
        } else {
            out.append(UInt8(ascii: "["))
            for (i, c) in conflicts.enumerated() {
                out += (i > 0 ? ",\n    {\n      \"a\": " : "\n    {\n      \"a\": ").utf8
                JSON.quote(c.a, into: &out)
                out += ",\n      \"b\": ".utf8
                JSON.quote(c.b, into: &out)
                out += ",\n      \"shared\": ".utf8
                strings(c.shared, level: 3)
                out += "\n    }".utf8
            }
            out += "\n  ]".utf8
        }
        out += "\n}\n".utf8
        return String(decoding: out, as: UTF8.self)
    }

    public static func conflictJSON(_ c: Coordination.Conflict) -> JSON {
        .object([("a", .string(c.a)), ("b", .string(c.b)), ("shared", .strings(c.shared))])
    }

    public static func board(_ view: Coordination, json: Bool) -> String {
        let items = view.board
        if json {
            return JSON.object([
                (
                    "items",
                    .array(
                        items.map { node in
                            .object([("id", .string(node.id)), ("status", JSON(node.status)), ("assignee", JSON(node.assignee))])
                        })
                )
            ]).rendered() + "\n"
        }
        if items.isEmpty { return "exo: no work items (changes) found\n" }
        var out = "exo: \(items.count) work item(s)\n"
        for node in items {
            let status = (node.status?.isTruthy ?? false) ? node.status!.pythonStr : "no status"
            let who = (node.assignee?.isTruthy ?? false) ? "  @\(node.assignee!.pythonStr)" : ""
            out += "  [\(status)]  \(node.id)\(who)\n"
        }
        return out
    }

    public static func roles(json: Bool) -> String {
        if json {
            return JSON.object([
                (
                    "roles",
                    .array(
                        Coordination.roles.map {
                            .object([("role", .string($0.role)), ("contract", .string($0.contract))])
                        })
                )
            ]).rendered() + "\n"
        }
        var out = "exo: role contracts (workers get bounded contracts; never product owners)\n"
        for (role, contract) in Coordination.roles {
            out += "  " + role + String(repeating: " ", count: max(0, 13 - role.count)) + " " + contract + "\n"
        }
        return out
    }
}
