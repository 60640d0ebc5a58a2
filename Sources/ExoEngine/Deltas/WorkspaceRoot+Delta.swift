import ExoGraph
import ExoModel
import ExoSnapshot

extension WorkspaceRoot {
    /// The roots of `snapshot`, known to be those of `earlier` when all that differs between
    /// the two (git's tree diff) is plain files, none of them a `tropo.toml` or a thin config
    /// (the only files a root is found by), and `earlier`'s were found with no symlink or
    /// odd entry in the way; else searched for.
    public static func all(in snapshot: Snapshot, knownFrom earlier: Snapshot, cache: ParseCache? = nil) -> [String] {
        if let changes = earlier.keyed?.changes(to: snapshot, under: ""), changes.allSatisfy(TreeDelta.isPlain) {
            let found = search(earlier, cache: cache)
            if found.cacheable {
                Probe.rootsFromBase.hit()
                return found.roots
            }
        }
        return all(in: snapshot, cache: cache)
    }
}
