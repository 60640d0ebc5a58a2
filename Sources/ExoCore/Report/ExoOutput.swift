import ExoGraph
import ExoModel
import ExoRules

/// exo's own output for `conflicts`, `board` and `roles`, text and JSON, word for word.
public enum ExoOutput {
    /// One conflict as exo's JSON writes it: `a`, `b`, `shared`.
    public static func conflictJSON(_ c: Coordination.Conflict) -> JSON {
        .object([("a", .string(c.a)), ("b", .string(c.b)), ("shared", .strings(c.shared))])
    }

    /// `board`, text or JSON, byte for byte as exo prints it.
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

    /// `roles`, text or JSON, byte for byte as exo prints it.
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
