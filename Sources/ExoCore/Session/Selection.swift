/// Which snapshot of the graph a command reads.
public enum Selection: Sendable, Equatable {
    /// The files on disk.
    case worktree
    /// The index git would commit (`GIT_INDEX_FILE` when set).
    case staged
    /// The tree of any revision git can name; works in a bare repository.
    case revision(String)
}
