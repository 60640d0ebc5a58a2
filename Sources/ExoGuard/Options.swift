import ArgumentParser
import ExoCore

/// Where the graph is read from: `--root`, and the files on disk, `--staged` or `--rev`.
struct SnapshotOptions: ParsableArguments {
    @Option(
        help:
            "Where the walk up to the workspace root starts (default: the current folder). In --staged and --rev, the matching path inside the tree."
    )
    var root: String?

    @Flag(help: "Read the index git would commit (GIT_INDEX_FILE when set) instead of the files on disk.")
    var staged = false

    @Option(help: "Read the tree of a revision (anything git rev-parse takes); works in a bare repository.")
    var rev: String?

    func validate() throws {
        if staged && rev != nil { throw ValidationError("--staged and --rev cannot be used together") }
    }

    var selection: Selection {
        if staged { return .staged }
        if let rev { return .revision(rev) }
        return .worktree
    }
}

extension SnapshotOptions {
    /// The session for a read-only command: git only when the snapshot or `--branches` needs it.
    func session(branches: Bool) throws -> Session {
        try Session(repository: branches || selection != .worktree ? .required : .none, writesCache: false)
    }
}
