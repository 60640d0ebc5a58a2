import ArgumentParser
import ExoCore
import ExoGraph
import ExoModel

struct Claim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Set the assignee of a change on disk (exo claim).",
        discussion: """
            The workspace must declare `assignee` (e.g. packs = ["coordination"]). Only the
            assignee: line of the change's frontmatter is written; the file is replaced
            atomically. Symlinked or out-of-workspace files are refused.
            """
    )

    @Argument(help: "The id of the work item (a document under changes/).") var id: String
    @Option(help: "The agent's handle: letters, digits, '.', '_', '-', optional leading @.") var agent: String
    @Option(help: "Where the walk up to the workspace root starts.") var root: String?
    @Flag(help: "Print exo's JSON.") var json = false

    func run() throws {
        let session = try Session(repository: .none, writesCache: false)
        let result = try ExoGraph.Claim.run(id: id, agent: agent) { () throws(ExoError) in
            try session.workspace(.worktree, root: root)
        }
        if json {
            Output.write(
                JSON.object([
                    ("id", .string(result.id)),
                    ("path", .string(result.path)),
                    ("assignee", .string(result.assignee)),
                    ("previous_assignee", JSON(result.previous)),
                    ("changed", .bool(result.changed)),
                ]).rendered() + "\n")
        } else if result.changed {
            Output.write("exo: claimed \(result.id) for @\(result.assignee)\n")
        } else {
            Output.write("exo: \(result.id) already claimed by @\(result.assignee)\n")
        }
    }
}
