import ExoModel

/// A snapshot with some files' contents replaced or added: the working tree as it would be
/// after an edit an agent is about to make (`hook agent` judges it before the file is
/// written). Keys, digests and the parallel read are left out: nothing read through it is
/// cached under a key that names the files on disk.
public final class OverlaySnapshot: Snapshot {
    private let base: Snapshot
    private let files: [String: [UInt8]]
    private let folders: Set<String>

    /// `base` with each of `files` (snapshot paths) holding the bytes given.
    public init(base: Snapshot, files: [String: [UInt8]]) {
        self.base = base
        self.files = files
        var folders = Set<String>()
        for path in files.keys {
            var dir = SnapPath.parent(path)
            while !dir.isEmpty, folders.insert(dir).inserted { dir = SnapPath.parent(dir) }
        }
        self.folders = folders
    }

    /// The base snapshot's.
    public var topName: String { base.topName }

    /// A file of the overlay, a folder holding one, else what the base has.
    public func kind(_ path: String) -> EntryKind? {
        if files[path] != nil { return .file }
        if folders.contains(path) { return .directory }
        return base.kind(path)
    }

    /// The base's entries with the overlay's files (and their folders) in them.
    public func list(_ directory: String) -> [DirectoryEntry] {
        var entries = base.list(directory)
        var names = Set(entries.map(\.name))
        for path in files.keys where SnapPath.parent(path) == directory {
            let name = SnapPath.name(path)
            entries.removeAll { $0.name == name }
            entries.append(DirectoryEntry(name: name, kind: .file))
            names.insert(name)
        }
        for dir in folders where SnapPath.parent(dir) == directory && !names.contains(SnapPath.name(dir)) {
            entries.append(DirectoryEntry(name: SnapPath.name(dir), kind: .directory))
        }
        return entries
    }

    /// The base's, or the path itself for a file only the overlay has.
    public func realPath(_ path: String) -> String? {
        if files[path] != nil || folders.contains(path) { return base.realPath(path) ?? path }
        return base.realPath(path)
    }

    /// The overlay's bytes, else the base's.
    public func read(_ path: String) throws(ExoError) -> [UInt8] {
        if let bytes = files[path] { return bytes }
        return try base.read(path)
    }

    /// As the base names it.
    public func describe(_ path: String) -> String { base.describe(path) }
}
