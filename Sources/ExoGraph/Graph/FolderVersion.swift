import ExoModel
import ExoSnapshot
import ExoStore

/// A folder as a walk of this run made it: its sorted listing, which document each entry
/// became (-1: none), and the documents. The next walk of the same folder under the same
/// root, configuration and overlays above, but with another tree (a branch's tip, its merge
/// base), takes every entry both listings hold with the same kind and blob as the same
/// document again, and reads only the others: a watched ref costs what it changed, not the
/// size of the folders it changed something in.
///
/// Why that is exact: a document is made from its name, its blob, its folder's path and
/// configuration, and the configuration in force above; the version is keyed by all but
/// the name and blob (`Workspace.walkTree`), and the folder's own configuration comes from
/// its overlay and thin config, so a listing that holds either, or a symlink, is never
/// matched. Only snapshots with blob ids in their listings (git) have versions.
struct FolderVersion {
    let listing: [DirectoryEntry]
    let documentOf: [Int]
    let files: [GraphDocument]

    /// A new listing of the folder, matched entry by entry to the version's.
    struct Matcher {
        let version: FolderVersion
        /// Per entry of the new listing, the index of the same entry in the version's; -1 for none.
        private let match: [Int]

        /// Nil when either listing holds a symlink, an overlay (`tropo.toml`) or a thin
        /// config (`.vivary`).
        init?(_ version: FolderVersion, _ entries: [DirectoryEntry]) {
            for list in [version.listing, entries] {
                for e in list where e.kind == .symlink || Workspace.bearsOnConfig(e.name) { return nil }
            }
            // Both listings are sorted by name (`sortedByName`, byte order): one merge pass.
            var match = [Int](repeating: -1, count: entries.count)
            var j = 0
            let old = version.listing
            for (i, e) in entries.enumerated() {
                let name = Exact(e.name)
                while j < old.count && Exact(old[j].name) < name { j += 1 }
                guard j < old.count, Exact(old[j].name) == name else { continue }
                if old[j].kind == e.kind, let k = e.key, old[j].key == k { match[i] = j }
            }
            self.version = version
            self.match = match
        }

        /// For the new listing's entry at `index` that the version holds unchanged: the
        /// index of its document in the version (-1 when it made none); nil for an entry
        /// that is new or changed.
        func document(at index: Int) -> Int? {
            let j = match[index]
            return j < 0 ? nil : version.documentOf[j]
        }
    }
}
