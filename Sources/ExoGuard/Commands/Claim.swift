import ArgumentParser
import ExoCore
import ExoGit
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
    @Flag(help: "Claim even when another line of work (a watched branch, or a commit or push being made) holds the change.")
    var force = false

    func run() throws {
        let session = try Session(repository: .optional, writesCache: false)
        var refusal: String? = nil
        let result: ExoGraph.Claim.Result
        do {
            result = try ExoGraph.Claim.run(
                id: id, agent: agent,
                open: { () throws(ExoError) in try session.workspace(.worktree, root: root) },
                allow: { assignee throws(ExoError) in
                    guard !force, let (ref, holder) = try session.holder(of: id, other: assignee, root: root) else { return }
                    let who = (holder?.isTruthy ?? false) ? "by @\(holder!.pythonStr)" : "with no assignee"
                    refusal =
                        "exo-guard: claim refused \u{2014} \(id) is taken up on \(RefName.short(ref.name)) (\(ref.whereabouts)) \(who);"
                        + " leave it to them or agree with them first (--force claims anyway)"
                    throw .refused(file: nil, cause: "taken up elsewhere")
                })
        } catch {
            guard let refusal else { throw error }
            Output.writeError(ControlCharacters.escaped(refusal) + "\n")
            throw ExitCode(1)
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
