import ExoModel

/// Nothing at all: the base of a first commit, or of a branch with no common history.
public final class EmptySnapshot: Snapshot {
    public init() {}
    public var topName: String { "" }
    public func kind(_ path: String) -> EntryKind? { path.isEmpty ? .directory : nil }
    public func list(_ directory: String) -> [DirectoryEntry] { [] }
    public func realPath(_ path: String) -> String? { path.isEmpty ? "" : nil }
    public func read(_ path: String) throws(ExoError) -> [UInt8] { throw .unreadable(file: path, cause: "empty snapshot") }
    public func describe(_ path: String) -> String { "empty:\(path)" }
}
