import ExoModel

/// Nothing at all: the base of a first commit, or of a branch with no common history.
public final class EmptySnapshot: Snapshot {
    /// The empty tree.
    public init() {}
    /// No name.
    public var topName: String { "" }
    /// A folder at the top, nothing else.
    public func kind(_ path: String) -> EntryKind? { path.isEmpty ? .directory : nil }
    /// No entry.
    public func list(_ directory: String) -> [DirectoryEntry] { [] }
    /// The top only.
    public func realPath(_ path: String) -> String? { path.isEmpty ? "" : nil }
    /// Always an error: there is no file.
    public func read(_ path: String) throws(ExoError) -> [UInt8] { throw .unreadable(file: path, cause: "empty snapshot") }
    /// `empty:<path>`.
    public func describe(_ path: String) -> String { "empty:\(path)" }
}
