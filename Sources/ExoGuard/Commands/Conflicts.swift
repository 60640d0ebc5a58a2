import ArgumentParser
import ExoCore
import ExoGraph
import ExoSnapshot

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Pairs of active changes that point at the same node (exo conflicts).",
        discussion: """
            The default command. Output is exo's, word for word; exit 0 whatever is found.
            With --branches: the conflicts between this line of work and the changes in flight on
            every watched branch (git config exo.watch), and between those branches.
            """
    )

    @OptionGroup var snapshot: SnapshotOptions
    @Flag(help: "Print exo's JSON.") var json = false
    @Flag(help: "Conflicts across branches: this line against the work in flight on every watched ref.")
    var branches = false

    func run() throws {
        let session = try snapshot.session(branches: branches)
        if branches {
            Output.write(ExoOutput.conflicts(try session.branches(snapshot.selection, root: snapshot.root), json: json))
            return
        }
        let (workspace, view) = try session.view(snapshot.selection, root: snapshot.root)
        KeptUntilExit.keep((session, workspace, view))
        ExoOutput.writeConflicts(view, json: json) { Output.write(bytes: $0) }
    }
}

struct Board: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Every change with its status and assignee (exo board).",
        discussion: """
            With --branches: every change active on this line and every change in flight on a
            watched branch (git config exo.watch), with the branch in brackets.
            """
    )

    @OptionGroup var snapshot: SnapshotOptions
    @Flag(help: "Print exo's JSON.") var json = false
    @Flag(help: "Also the changes in flight on every watched ref.") var branches = false

    func run() throws {
        let session = try snapshot.session(branches: branches)
        if branches {
            Output.write(ExoOutput.board(try session.branches(snapshot.selection, root: snapshot.root), json: json))
            return
        }
        let (workspace, view) = try session.view(snapshot.selection, root: snapshot.root)
        KeptUntilExit.keep((session, workspace, view))
        Output.write(ExoOutput.board(view, json: json))
    }
}

struct Roles: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "The seven bounded worker contracts (exo roles)."
    )

    @Flag(help: "Print exo's JSON.") var json = false

    func run() throws {
        Output.write(ExoOutput.roles(json: json))
    }
}
