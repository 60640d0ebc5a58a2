import CGit2

/// A snapshot read from git objects: a commit's tree or the index. Symlinks behave as a
/// checkout would: their blob is the target path, resolved inside the tree (an absolute
/// target, or one that climbs out of the tree, leaves the snapshot). Gitlinks
/// (submodules) are skipped. Only the blobs asked for are read.
public final class GitSnapshot: Snapshot {
    struct Entry {
        let kind: EntryKind
        let id: ObjectID
    }

    private let repository: Repository
    private let label: String
    private let source: Source
    private var directories: [String: [String: Entry]] = [:]

    enum Source {
        case tree(ObjectID)
        /// The index, already turned into folders.
        case index
    }

    /// The tree of a commit.
    public init(repository: Repository, commit: ObjectID, label: String) throws(ExoError) {
        self.repository = repository
        self.label = label
        self.source = .tree(try repository.treeID(ofCommit: commit))
    }

    /// The index git would commit: `GIT_INDEX_FILE` when set (relative to the current
    /// directory, as git hands it to hooks), else the repository's own. Stage-0 entries
    /// only; an index with unresolved conflicts is an error.
    public init(indexOf repository: Repository) throws(ExoError) {
        self.repository = repository
        self.label = "index"
        self.source = .index
        let path: String
        if let file = repository.environment["GIT_INDEX_FILE"], !file.isEmpty {
            path = Repository.absolute(file, in: repository.currentDirectory)
        } else {
            path = repository.gitDir + "/index"
        }
        var index: OpaquePointer? = nil
        guard git_index_open(&index, path) == 0 else {
            throw .git("cannot read the index \(path): \(LibGit2.lastMessage())")
        }
        defer { git_index_free(index) }
        if git_index_has_conflicts(index) == 1 {
            throw .git("the index \(path) has unresolved merge conflicts; resolve them before checking")
        }
        var dirs: [String: [String: Entry]] = ["": [:]]
        let count = git_index_entrycount(index)
        for i in 0..<count {
            guard let e = git_index_get_byindex(index, i), let cPath = e.pointee.path else { continue }
            let mode = e.pointee.mode
            let kind: EntryKind
            switch mode & 0o170000 {
            case 0o100000: kind = .file
            case 0o120000: kind = .symlink
            default: continue  // gitlinks
            }
            let full = String(cString: cPath)
            var parent = SnapPath.parent(full)
            dirs[parent, default: [:]][SnapPath.name(full)] = Entry(kind: kind, id: ObjectID(e.pointee.id))
            // Register each folder in its parent.
            while !parent.isEmpty {
                let grand = SnapPath.parent(parent)
                let name = SnapPath.name(parent)
                if dirs[grand]?[name] != nil { break }
                dirs[grand, default: [:]][name] = Entry(kind: .directory, id: ObjectID(git_oid()))
                parent = grand
            }
        }
        directories = dirs
    }

    public var topName: String { repository.topName }

    /// The entries of a folder, read from its tree object the first time.
    private func entries(_ dir: String) -> [String: Entry]? {
        if let cached = directories[dir] { return cached }
        guard case .tree(let rootTree) = source else { return nil }
        let treeID: ObjectID
        if dir.isEmpty {
            treeID = rootTree
        } else {
            guard let parent = entries(SnapPath.parent(dir)), let e = parent[SnapPath.name(dir)], e.kind == .directory else { return nil }
            treeID = e.id
        }
        var tree: OpaquePointer? = nil
        var raw = treeID.raw
        guard git_tree_lookup(&tree, repository.pointer, &raw) == 0 else { return nil }
        defer { git_tree_free(tree) }
        var result: [String: Entry] = [:]
        let count = git_tree_entrycount(tree)
        result.reserveCapacity(count)
        for i in 0..<count {
            guard let e = git_tree_entry_byindex(tree, i) else { continue }
            let kind: EntryKind
            switch git_tree_entry_filemode(e) {
            case GIT_FILEMODE_TREE: kind = .directory
            case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: kind = .file
            case GIT_FILEMODE_LINK: kind = .symlink
            default: continue  // gitlinks
            }
            result[String(cString: git_tree_entry_name(e))] = Entry(kind: kind, id: ObjectID(git_tree_entry_id(e)!))
        }
        directories[dir] = result
        return result
    }

    private func entry(_ path: String) -> Entry? {
        if path.isEmpty { return Entry(kind: .directory, id: ObjectID(git_oid())) }
        return entries(SnapPath.parent(path))?[SnapPath.name(path)]
    }

    public func kind(_ path: String) -> EntryKind? { entry(path)?.kind }

    public func list(_ directory: String) -> [DirectoryEntry] {
        (entries(directory) ?? [:]).map { DirectoryEntry(name: $0.key, kind: $0.value.kind) }
    }

    public func realPath(_ path: String) -> String? {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var hops = 0
        while !pending.isEmpty {
            let component = pending.removeFirst()
            if component == "." { continue }
            if component == ".." {
                if resolved.isEmpty { return nil }
                resolved.removeLast()
                continue
            }
            let candidate = (resolved + [component]).joined(separator: "/")
            guard let e = entry(candidate) else { return nil }
            if e.kind == .symlink {
                hops += 1
                guard hops <= 40, let target = try? blob(e.id), let text = String(validating: target, as: UTF8.self),
                      !text.hasPrefix("/") else { return nil }
                pending = text.split(separator: "/").map(String.init) + pending
                continue
            }
            if !pending.isEmpty && e.kind != .directory { return nil }
            resolved.append(component)
        }
        return resolved.joined(separator: "/")
    }

    public func read(_ path: String) throws(SnapshotError) -> [UInt8] {
        guard let e = entry(path), e.kind == .file else { throw SnapshotError("\(describe(path)): not a file") }
        return try blob(e.id)
    }

    public func contentKey(_ path: String) -> String? {
        guard let e = entry(path), e.kind == .file else { return nil }
        return e.id.description
    }

    /// Blobs larger than this are not read: a pushed file that big makes the check fail
    /// (exit 2, the push rejected) rather than exhaust the server's memory.
    static let maxBlobSize = 64 << 20

    private func blob(_ id: ObjectID) throws(SnapshotError) -> [UInt8] {
        var object: OpaquePointer? = nil
        var raw = id.raw
        var headerSize = 0
        var type = GIT_OBJECT_INVALID
        if git_odb_read_header(&headerSize, &type, repository.odb, &raw) == 0, headerSize > Self.maxBlobSize {
            throw SnapshotError("object \(id) is \(headerSize >> 20) MiB, over the \(Self.maxBlobSize >> 20) MiB a document may have", fatal: true)
        }
        guard git_odb_read(&object, repository.odb, &raw) == 0 else {
            throw SnapshotError("cannot read object \(id): \(LibGit2.lastMessage())", fatal: true)
        }
        defer { git_odb_object_free(object) }
        let size = git_odb_object_size(object)
        guard size > 0, let data = git_odb_object_data(object) else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: size))
    }

    public func describe(_ path: String) -> String { "\(label):\(path)" }
}
