/// Which snapshot of the graph a command reads.
public enum Selection: Sendable, Equatable {
    /// The files on disk.
    case worktree
    /// The index git would commit (`GIT_INDEX_FILE` when set).
    case staged
    /// The tree of any revision git can name; works in a bare repository.
    case revision(String)
}

/// Opens the workspace a command asks for: the snapshot, then the walk up from `--root`
/// (or the current directory) to the workspace root.
public enum WorkspaceLoader {
    public static func open(_ selection: Selection, root: String?) throws(ExoError) -> Workspace {
        switch selection {
        case .worktree:
            let snapshot = FileSystemSnapshot()
            let start = FileSystemSnapshot.absolutePath(root ?? ".")
            return try Workspace(snapshot: snapshot, root: WorkspaceRoot.require(in: snapshot, from: start))
        case .staged:
            let repository = try Repository.current()
            let snapshot = try GitSnapshot(indexOf: repository, head: try repository.headCommit())
            return try open(snapshot, in: repository, root: root)
        case .revision(let rev):
            let repository = try Repository.current()
            let snapshot = try GitSnapshot(repository: repository, commit: try repository.commit(rev), label: rev)
            return try open(snapshot, in: repository, root: root)
        }
    }

    static func open(_ snapshot: Snapshot, in repository: Repository, root: String?) throws(ExoError) -> Workspace {
        let start = try treePath(for: root, in: repository)
        let workspace = try Workspace(snapshot: snapshot, root: WorkspaceRoot.require(in: snapshot, from: start))
        // Read-only commands use a parse cache a hook left, and never write one.
        workspace.cache = ParseCache(store: DiskParseStore.forRepository(repository, config: try? repository.config()), writes: false)
        return workspace
    }

    /// `--root` (or the current directory) as a path inside the tree: relative to the work
    /// tree in a checkout, relative to the tree's top in a bare repository. The walk up
    /// stops at the top of the tree.
    public static func treePath(for root: String?, in repository: Repository) throws(ExoError) -> String {
        guard let workTree = repository.workTree else {
            guard let root else { return "" }
            guard let p = SnapPath.normalize(root.split(separator: "/", omittingEmptySubsequences: false)) else {
                throw .usage("--root \(root) climbs out of the tree")
            }
            return p
        }
        let absolute = FileSystemPath.absolute(root ?? repository.currentDirectory)
        if let rel = SnapPath.relative(String(absolute.dropFirst()), to: String(workTree.dropFirst())) { return rel }
        if root == nil { return "" }  // e.g. a hook running inside the git dir
        throw .usage("--root \(absolute) is outside the work tree \(workTree)")
    }
}
