import CGit2
import ExoModel
import ExoSnapshot
import ExoStore

/// A snapshot read from git objects: a commit's tree or the index. Symlinks behave as a
/// checkout would: their blob is the target path, resolved inside the tree (an absolute
/// target, or one that climbs out of the tree, leaves the snapshot). Gitlinks
/// (submodules) are skipped. Only the blobs asked for are read.
public final class GitSnapshot: KeyedSnapshot, ConcurrentSnapshot {
    struct Entry {
        let kind: EntryKind
        let id: ObjectID
    }

    let repository: Repository
    let label: String
    let source: Source
    /// Folders as this snapshot shows them, filled on first use.
    var directories: [String: [String: Entry]] = [:]
    /// Folders of the underlying tree (for an index read as a tree plus changes).
    var treeDirectories: [String: [String: Entry]] = [:]
    /// `realPath` of every folder resolved so far: the walk goes down folder by folder, so
    /// each folder is resolved in one step from its parent and a path's cost follows its
    /// length, not its length times its depth (a pusher controls both).
    var realFolders: [String: String] = [:]
    /// Symlink targets read so far, by blob id (nil: unreadable, or leaving the tree).
    var linkTargets: [ObjectID: String?] = [:]
    /// Tree ids of index folders whose cache-tree node is invalid, computed as git would.
    var indexTrees: [String: IndexFile.Tree] = [:]
    /// The last comparison with another commit's tree (`changes(to:under:)`), by that tree's
    /// id and the folder: a check asks it for the roots and then for the graph.
    var lastChanges: (key: String, found: [PathChange]?)? = nil
    /// Another commit's tree this one was compared with whole and found to differ from in
    /// plain files only (`changes(to:under:)`): a path that is neither one of those files
    /// nor a folder above one has the same entry there, read from that snapshot (whose
    /// folders a run lists once) rather than from this one's.
    var sameOutside: Outside? = nil

    enum Source {
        case tree(ObjectID)
        /// The index read by libgit2, already turned into folders (no HEAD to compare it with).
        case index
        /// The index file read directly: folders listed from its sorted entries, tree ids
        /// from its cache tree.
        case indexFile(IndexFile)
        /// The index as HEAD's tree plus the paths where it differs from it: `changes`
        /// (folder -> name -> entry, nil for removed) and every folder above a change.
        case treeWithChanges(ObjectID, changes: [String: [String: Entry?]], dirty: Set<String>)
    }

    /// The tree of a commit.
    public init(repository: Repository, commit: ObjectID, label: String) throws(ExoError) {
        self.repository = repository
        self.label = label
        self.source = .tree(try repository.treeID(ofCommit: commit))
    }

    /// The index git would commit: `GIT_INDEX_FILE` when set (relative to the current
    /// directory, as git hands it to hooks), else the repository's own. Stage-0 entries
    /// only; an index with unresolved conflicts is an error. With a HEAD commit, the index
    /// is read as HEAD's tree plus git's diff of that tree to the index, so that folders the
    /// index leaves as they are keep their tree ids (and cached results).
    ///
    /// First the file is read directly (`IndexFile`): its cache tree gives the tree ids
    /// without reading HEAD or computing a diff. libgit2 reads the forms that reader leaves
    /// aside, and an index without a cache tree when there is a HEAD to compare it with.
    public init(indexOf repository: Repository, head: ObjectID? = nil) throws(ExoError) {
        self.repository = repository
        self.label = "index"
        let path: String
        if let file = repository.environment["GIT_INDEX_FILE"], !file.isEmpty {
            path = Repository.absolute(file, in: repository.currentDirectory)
        } else {
            path = repository.gitDir + "/index"
        }
        if let file = IndexFile.read(path, gitDir: repository.gitDir), file.trees != nil || head == nil {
            if file.hasConflicts { throw Self.unmerged(path) }
            Probe.indexFileRead.hit()
            source = .indexFile(file)
            return
        }
        let index = try Owner("cannot read the index \(path)", create: { git.index_open(&$0, path) }, free: git.index_free)
        Probe.indexLibgit2Read.hit()
        if git.index_has_conflicts(index.pointer) == 1 { throw Self.unmerged(path) }
        if let head {
            let tree = try repository.treeID(ofCommit: head)
            source = try Self.changes(of: index.pointer, from: tree, in: repository, path: path)
            return
        }
        source = .index
        var dirs: [String: [String: Entry]] = ["": [:]]
        let count = git.index_entrycount(index.pointer)
        for i in 0..<count {
            guard let e = git.index_get_byindex(index.pointer, i), let cPath = e.pointee.path,
                let kind = Self.kind(mode: e.pointee.mode)
            else { continue }
            let full = RawBytes.decode(cString: cPath)
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

    static func unmerged(_ path: String) -> ExoError {
        .unmergedIndex(file: path)
    }

    /// A blob's kind from its mode; nil for what the snapshot leaves out (gitlinks).
    static func kind(mode: UInt32) -> EntryKind? {
        switch mode & 0o170000 {
        case 0o100000: return .file
        case 0o120000: return .symlink
        default: return nil
        }
    }

    /// The name exo sees for the tree's top: the checkout's folder name.
    public var topName: String { repository.topName }

    /// The entries of a folder, read from its tree object the first time.
    func entries(_ dir: String) -> [String: Entry]? {
        if let cached = directories[dir] { return cached }
        switch source {
        case .index:
            return nil
        case .indexFile(let file):
            var result: [String: Entry] = [:]
            for (name, item) in file.list(dir) {
                if let item {
                    guard let kind = Self.kind(mode: item.mode) else { continue }
                    result[name] = Entry(kind: kind, id: ObjectID(item.id))
                } else {
                    result[name] = Entry(kind: .directory, id: ObjectID(git_oid()))
                }
            }
            if result.isEmpty && !dir.isEmpty { return nil }  // no such folder
            directories[dir] = result
            return result
        case .tree(let root):
            let result = treeEntries(dir, root: root)
            if let result { directories[dir] = result }
            return result
        case .treeWithChanges(let root, let changes, let dirty):
            if !dir.isEmpty {
                guard let parent = entries(SnapPath.parent(dir)), parent[SnapPath.name(dir)]?.kind == .directory else {
                    return nil
                }
            }
            var result = treeEntries(dir, root: root) ?? [:]
            if dirty.contains(dir) {
                for (name, entry) in changes[dir] ?? [:] { result[name] = entry }
                // Folders the changes create or empty.
                for child in dirty where !child.isEmpty && SnapPath.parent(child) == dir {
                    let name = SnapPath.name(child)
                    if result[name] == nil || result[name]?.kind == .directory {
                        result[name] = Entry(kind: .directory, id: ObjectID(git_oid()))
                        directories[dir] = result  // so the child can find itself while it is listed
                        if entries(child)?.isEmpty ?? true { result[name] = nil }
                    }
                }
            }
            directories[dir] = result
            return result
        }
    }

    /// The entries of a folder of the tree `root`, ignoring any changes on top of it.
    func treeEntries(_ dir: String, root: ObjectID) -> [String: Entry]? {
        if let cached = treeDirectories[dir] { return cached }
        let treeID: ObjectID
        if dir.isEmpty {
            treeID = root
        } else {
            guard let parent = treeEntries(SnapPath.parent(dir), root: root), let e = parent[SnapPath.name(dir)],
                e.kind == .directory
            else { return nil }
            treeID = e.id
        }
        guard let result = Self.entries(ofTree: treeID, in: repository) else { return nil }
        treeDirectories[dir] = result
        return result
    }

    /// The id of the tree object that holds exactly the folder `dir` of this snapshot, when
    /// there is one (not for folders the index changes, nor for an index without HEAD).
    public func treeKey(_ dir: String) -> CacheKey? {
        let root: ObjectID
        switch source {
        case .index: return nil
        case .indexFile(let file):
            guard case .id(let id) = indexTree(dir, in: file) else { return nil }
            return id.cacheKey
        case .tree(let r): root = r
        case .treeWithChanges(let r, _, let dirty):
            if dirty.contains(dir) { return nil }
            if !dir.isEmpty {
                guard let parent = entries(SnapPath.parent(dir)), parent[SnapPath.name(dir)]?.kind == .directory else {
                    return nil
                }
            }
            root = r
        }
        if dir.isEmpty { return root.cacheKey }
        guard let e = treeEntries(SnapPath.parent(dir), root: root)?[SnapPath.name(dir)], e.kind == .directory else { return nil }
        return e.id.cacheKey
    }

    /// Writes the trees of the index this snapshot read and returns the root tree's id, as
    /// `git write-tree` would, without a process: a folder the cache tree names is taken as
    /// it is (when its object is there), the others, the few a commit changes, are written
    /// from their entries (`IndexFile.treeObject`). nil for an index read another way, or a
    /// folder that cannot be made: `git write-tree` then does it.
    public func writeIndexTrees() -> ObjectID? {
        guard case .indexFile(let file) = source else { return nil }
        func write(_ dir: String) -> IndexFile.Tree {
            if let id = file.trees?[dir] { return repository.contains(id) ? .id(id) : .unknown }
            guard SnapPath.depth(dir) < SnapPath.maxDepth, let object = file.treeObject(dir, subtree: write) else {
                return .unknown
            }
            if object.isEmpty && !dir.isEmpty { return .empty }
            return repository.writeTree(object).map { .id($0) } ?? .unknown
        }
        guard case .id(let root) = write("") else { return nil }
        Probe.indexTreesWritten.hit()
        return root
    }

    /// The tree id git would write for an index folder: the cache tree's when its node is
    /// valid, else hashed from the folder's entries (`IndexFile.treeObject`), so that
    /// folders a commit leaves alone keep their cache keys however git left the cache tree.
    func indexTree(_ dir: String, in file: IndexFile) -> IndexFile.Tree {
        if let id = file.trees?[dir] { return .id(id) }
        if let known = indexTrees[dir] { return known }
        // Each level is a frame: past the walks' depth, no tree id (the walk refuses it).
        if SnapPath.depth(dir) >= SnapPath.maxDepth {
            return .unknown
        }
        let made: IndexFile.Tree
        if var object = file.treeObject(dir, subtree: { indexTree($0, in: file) }) {
            made = object.isEmpty ? .empty : LibGit2.hash(&object, as: GIT_OBJECT_TREE).map { .id($0) } ?? .unknown
        } else {
            made = .unknown
        }
        indexTrees[dir] = made
        return made
    }

    func entry(_ path: String) -> Entry? {
        if path.isEmpty { return Entry(kind: .directory, id: ObjectID(git_oid())) }
        if let outside = sameOutside {
            let p = Exact(path)
            if let file = outside.files[p] { return file }
            if !outside.folders.contains(p) { return outside.snapshot.entry(path) }
        }
        return entries(SnapPath.parent(path))?[SnapPath.name(path)]
    }

    /// What is at `path` (no symlink followed); nil when nothing is.
    public func kind(_ path: String) -> EntryKind? { entry(path)?.kind }

    /// A file's bytes (only as many as are enough when it is over the repository's `readLimit`).
    public func read(_ path: String) throws(ExoError) -> [UInt8] {
        guard let e = entry(path), e.kind == .file else { throw .unreadable(file: describe(path), cause: "not a file") }
        return try blob(e.id, file: describe(path))
    }

    /// A blob's bytes, by its id (the path only names it in an error).
    public func read(_ path: String, key: CacheKey) throws(ExoError) -> [UInt8] {
        try blob(ObjectID(key), file: describe(path))
    }

    /// A file's blob id.
    public func contentKey(_ path: String) -> CacheKey? {
        guard let e = entry(path), e.kind == .file else { return nil }
        return e.id.cacheKey
    }

    /// SHA-1, as git hashes a blob.
    public func digest(_ text: String) -> CacheKey? {
        LibGit2.blobHash(text)?.cacheKey
    }

    /// `path` as messages name it: `<label>:<path>`.
    public func describe(_ path: String) -> String { "\(label):\(path)" }
}
