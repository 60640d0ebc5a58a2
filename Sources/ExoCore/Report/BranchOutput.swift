import ExoGit
import ExoGraph
import ExoModel
import ExoRules

/// `board --branches` and `conflicts --branches`, text in the style of exo's with the ref
/// in brackets, and JSON.
extension ExoOutput {
    /// `board --branches`: the line's active changes and those in flight on each watched ref.
    public static func board(_ listing: BranchListing, json: Bool) -> String {
        let items = listing.board
        if json {
            return JSON.object([
                (
                    "items",
                    .array(
                        items.map { e in
                            .object([
                                ("id", .string(e.id)), ("status", JSON(e.status)), ("assignee", JSON(e.assignee)),
                                ("ref", e.ref.map(JSON.string) ?? .null),
                            ])
                        })
                )
            ]).rendered() + "\n"
        }
        if items.isEmpty { return "exo: no work items in flight on this line or any watched branch\n" }
        var out = "exo: \(items.count) work item(s) in flight across \(listing.lines.count) line(s) of work\n"
        for e in items {
            let status = (e.status?.isTruthy ?? false) ? e.status!.pythonStr : "no status"
            let who = (e.assignee?.isTruthy ?? false) ? "  @\(e.assignee!.pythonStr)" : ""
            out += "  [\(status)]  \(e.id)\(who)  [\(e.ref.map(RefName.short) ?? "this line")]\n"
        }
        return ControlCharacters.escaped(out)
    }

    /// `conflicts --branches`: the line's conflicts and those across lines of work.
    public static func conflicts(_ listing: BranchListing, json: Bool) -> String {
        let conflicts = listing.conflicts
        if json {
            return JSON.object([
                (
                    "conflicts",
                    .array(
                        conflicts.map { c in
                            .object([
                                ("a", .string(c.a)), ("a_ref", c.aRef.map(JSON.string) ?? .null),
                                ("b", .string(c.b)), ("b_ref", c.bRef.map(JSON.string) ?? .null),
                                ("shared", .strings(c.shared)),
                            ])
                        })
                )
            ]).rendered() + "\n"
        }
        let items = listing.lines.reduce(0) { $0 + $1.inFlight.count }
        if conflicts.isEmpty {
            return
                "exo: no conflicts across branches among \(items) work item(s) in flight on \(listing.lines.count) line(s) of work\n"
        }
        var out = "exo: \(conflicts.count) conflict(s) across branches among \(items) work item(s) in flight:\n"
        for c in conflicts {
            let side = { (ref: String?) in "[\(ref.map(RefName.short) ?? "this line")]" }
            let share = c.shared.isEmpty ? "the same change taken up twice" : "share: " + c.shared.joined(separator: ", ")
            out += "  \(c.a) \(side(c.aRef)) <-> \(c.b) \(side(c.bRef))  \(share)\n"
        }
        return ControlCharacters.escaped(out)
    }
}
