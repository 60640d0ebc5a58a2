import ExoModel
import ExoStore

/// The files that differ between two snapshots below a workspace's root, found by tree
/// ids (`Snapshot.changes(to:under:)`, git's tree diff): a folder with the same tree id on
/// both sides is passed over, so the cost follows what changed, not the size of the
/// workspace. What a watched ref changed since its merge base is read this way
/// (`WorkLine.flights(anchor:toMergeBase:toTip:)`).
///
/// Only differences that bear on nothing but the files themselves are taken: the answer is
/// nil when the snapshots cannot be compared by tree ids, or when a differing path is a
/// symlink (or anything not a file), or a `.toml` file: a configuration, an overlay, a thin
/// configuration or a pack, each of which bears on other files' documents too. The caller
/// then reads the two graphs whole.
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

    /// The files that differ between `a` and `b` below `root`; nil when the difference
    /// cannot be read file by file (above).
    package init?(from a: Snapshot, to b: Snapshot, root: String) {
        guard let changes = a.changes(to: b, under: root) else { return nil }
        var files: [File] = []
        files.reserveCapacity(changes.count)
        for change in changes {
            for side in [change.before, change.after] where side != nil && side!.kind != .file { return nil }
            if Self.bearsOnOthers(change.path) { return nil }
            files.append(File(rel: change.path, before: change.before?.key, after: change.after?.key))
        }
        self.files = files
    }

    /// A path whose change bears on documents other than its own: any `.toml` file, for
    /// the configurations, overlays and thin configurations are, and a pack may be any
    /// `.toml` file of the workspace (`.tropo/packs/NAME.toml`, NAME a relative path).
    private static func bearsOnOthers(_ rel: String) -> Bool {
        rel.utf8.count >= 5 && rel.utf8.suffix(5).elementsEqual(".toml".utf8)
    }
}
