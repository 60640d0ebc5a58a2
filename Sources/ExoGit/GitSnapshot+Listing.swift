import CGit2
import ExoModel
import ExoSnapshot
import ExoStore

/// Folders listed: by path, or by the tree id a parent's listing gave (no path looked up).
extension GitSnapshot {
    /// The entries of a folder, with their blob ids, and the tree ids of its subfolders
    /// where a tree holds exactly what the snapshot shows there.
    public func list(_ directory: String) -> [DirectoryEntry] {
        let entries = entries(directory) ?? [:]
        let exact: (String) -> Bool
        switch source {
        case .tree: exact = { _ in true }
        case .treeWithChanges(_, _, let dirty):
            // A folder above no change is HEAD's tree; below a changed folder, a subfolder
            // the changes leave alone is HEAD's too.
            exact = dirty.contains(directory) ? { !dirty.contains(SnapPath.join(directory, $0)) } : { _ in true }
        case .index, .indexFile: exact = { _ in false }
        }
        return entries.map { name, e in
            DirectoryEntry(
                name: name, kind: e.kind,
                key: e.kind == .file || (e.kind == .directory && exact(name)) ? e.id.cacheKey : nil)
        }
    }

    /// The entries of the folder `directory` whose tree id is `key`: read by the id, with
    /// no path looked up (a walk's cost then does not follow the depth of its folders).
    public func list(_ directory: String, key: CacheKey) -> [DirectoryEntry] {
        var listing: [DirectoryEntry] = []
        let found = Self.forEachEntry(ofTree: ObjectID(key), in: repository) { name, e in
            listing.append(DirectoryEntry(name: name, kind: e.kind, key: e.kind == .symlink ? nil : e.id.cacheKey))
        }
        return found ? listing : list(directory)
    }

    /// The entries of the tree object `id`; nil when there is none.
    static func entries(ofTree id: ObjectID, in repository: Repository) -> [String: Entry]? {
        var result: [String: Entry] = [:]
        let found = forEachEntry(ofTree: id, in: repository) { result[$0] = $1 }
        return found ? result : nil
    }

    /// Calls `body` with each entry of the tree object `id` in its order, gitlinks left out;
    /// false when there is no such tree.
    static func forEachEntry(ofTree id: ObjectID, in repository: Repository, _ body: (String, Entry) -> Void) -> Bool {
        var raw = id.raw
        let found: Bool? = LibGit2.withFound(
            create: { git.tree_lookup(&$0, repository.pointer, &raw) }, free: git.tree_free,
            use: { tree in
                for i in 0..<git.tree_entrycount(tree) {
                    guard let e = git.tree_entry_byindex(tree, i) else { continue }
                    let kind: EntryKind
                    switch git.tree_entry_filemode(e) {
                    case GIT_FILEMODE_TREE: kind = .directory
                    case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: kind = .file
                    case GIT_FILEMODE_LINK: kind = .symlink
                    default: continue  // gitlinks
                    }
                    body(
                        RawBytes.decode(cString: git.tree_entry_name(e)!), Entry(kind: kind, id: ObjectID(git.tree_entry_id(e)!)))
                }
                return true
            })
        return found ?? false
    }
}
