import ExoGraph
import ExoModel
import ExoSnapshot
import ExoStore

/// The files that differ between two snapshots below a workspace's root, found by tree
/// ids (`Snapshot.changes(to:under:)`, git's tree diff): a folder with the same tree id on
/// both sides is passed over, so the cost follows what changed, not the size of the
/// workspace. What a watched ref changed since its merge base is read this way
/// (`WorkLine.flights(anchor:toMergeBase:toTip:)`).
///
/// The whole trees are compared, so that what lies outside the root and still bears on it
/// is seen too. Only differences that bear on nothing but the files themselves are taken:
/// the answer is nil when the snapshots cannot be compared by tree ids, when a differing path
/// is a symlink (or anything not a file), or when it bears on the configuration: an input of
/// the root's (`Workspace.configInputs`: its configuration files and packs), an overlay
/// (`tropo.toml`) or a thin configuration (`.vivary/workspace.toml`, a competing or nested
/// root) anywhere. The caller then reads the two graphs whole. Other files outside the root
/// are left out; a `.toml` file that is none of these is a file like any other.
package struct TreeDelta {
    /// A path that is a file on one side at least, with another blob (or none) on the other.
    package struct File {
        /// The path relative to the workspace's root.
        package let rel: String
        /// The blob on the first side; nil when it has no file there.
        package let before: CacheKey?
        /// The blob on the second side; nil when it has no file there.
        package let after: CacheKey?
    }

    /// The differing files, in no particular order.
    package let files: [File]

    /// The files that differ between `a` and `b` below `root` (paths relative to it), given
    /// the root configuration's inputs; nil when the difference cannot be read file by file
    /// (above).
    package init?(from a: Snapshot, to b: Snapshot, root: String, configInputs: Set<Exact>) {
        guard let a = a.keyed, a.treeKey(root) != nil, b.keyed?.treeKey(root) != nil, let changes = a.changes(to: b, under: "")
        else { return nil }
        var files: [File] = []
        files.reserveCapacity(changes.count)
        for change in changes {
            if !Self.isPlain(change) || configInputs.contains(Exact(change.path)) { return nil }
            guard let rel = SnapPath.relative(change.path, to: root), !rel.isEmpty else { continue }
            files.append(File(rel: rel, before: change.before?.key, after: change.after?.key))
        }
        self.files = files
    }

    /// A file on both sides (or none), and neither an overlay nor a thin configuration: a
    /// change that bears on nothing but the file itself (and the root's own inputs).
    static func isPlain(_ change: PathChange) -> Bool {
        [change.before, change.after].allSatisfy { $0 == nil || $0!.kind == .file }
            && !bearsOnConfiguration(change.path)
    }

    /// An overlay or a thin configuration, wherever it lies.
    private static func bearsOnConfiguration(_ path: String) -> Bool {
        let name = SnapPath.name(path)
        if Exact(name) == Exact(Workspace.legacyConfig) { return true }
        let thin = ThinWorkspace.configPath
        return Exact(path) == Exact(thin)
            || path.utf8.count > thin.utf8.count
                && path.utf8.suffix(thin.utf8.count + 1).elementsEqual(("/" + thin).utf8)
    }
}
