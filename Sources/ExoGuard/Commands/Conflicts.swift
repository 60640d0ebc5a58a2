import ArgumentParser
import ExoCore

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Pairs of active changes that point at the same node (exo conflicts).",
        discussion: "The default command. Output is exo's, word for word; exit 0 whatever is found."
    )

    @OptionGroup var snapshot: SnapshotOptions
    @Flag(help: "Print exo's JSON.") var json = false

    func run() throws {
        let workspace = try WorkspaceLoader.open(snapshot.selection, root: snapshot.root)
        let view = workspace.cache.coordination(try workspace.graph())
        KeptUntilExit.keep((workspace, view))
        Output.write(ExoOutput.conflicts(view, json: json))
    }
}

struct Board: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Every change with its status and assignee (exo board)."
    )

    @OptionGroup var snapshot: SnapshotOptions
    @Flag(help: "Print exo's JSON.") var json = false

    func run() throws {
        let workspace = try WorkspaceLoader.open(snapshot.selection, root: snapshot.root)
        let view = Coordination(try workspace.graph())
        KeptUntilExit.keep((workspace, view))
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
