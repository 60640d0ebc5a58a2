import CGit2
import ExoModel
import ExoSnapshot

/// An index read through libgit2 as a tree plus git's diff of that tree to the index.
extension GitSnapshot {
    /// git's diff of `tree` to the index, as changed paths.
    static func changes(
        of index: OpaquePointer, from tree: ObjectID, in repository: Repository,
        path: String
    ) throws(ExoError) -> Source {
        var raw = tree.raw
        var options = git_diff_options()
        _ = git.diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
        options.flags = GIT_DIFF_INCLUDE_TYPECHANGE.rawValue | GIT_DIFF_IGNORE_SUBMODULES.rawValue
        let changed = try LibGit2.with(
            "cannot read tree \(tree)", create: { git.tree_lookup(&$0, repository.pointer, &raw) }, free: git.tree_free,
            use: { (treeObject) throws(ExoError) in
                try LibGit2.with(
                    "cannot compare the index \(path) with HEAD",
                    create: { git.diff_tree_to_index(&$0, repository.pointer, treeObject, index, &options) },
                    free: git.diff_free, use: changedPaths)
            })
        return .treeWithChanges(tree, changes: changed.changes, dirty: changed.dirty)
    }

    /// The paths a diff changes, by folder (nil for a deletion), and every folder above them.
    private static func changedPaths(_ diff: OpaquePointer) -> (changes: [String: [String: Entry?]], dirty: Set<String>) {
        var changes: [String: [String: Entry?]] = [:]
        var dirty: Set<String> = []
        for i in 0..<git.diff_num_deltas(diff) {
            guard let delta = git.diff_get_delta(diff, i) else { continue }
            let d = delta.pointee
            var entry: Entry? = nil
            if d.status != GIT_DELTA_DELETED, let kind = kind(mode: UInt32(d.new_file.mode)) {
                entry = Entry(kind: kind, id: ObjectID(d.new_file.id))
            }
            guard let cPath = d.new_file.path ?? d.old_file.path else { continue }
            let full = RawBytes.decode(cString: cPath)
            var parent = SnapPath.parent(full)
            changes[parent, default: [:]][SnapPath.name(full)] = .some(entry)
            while dirty.insert(parent).inserted && !parent.isEmpty { parent = SnapPath.parent(parent) }
        }
        return (changes, dirty)
    }
}
