import ExoModel
import ExoSnapshot
import ExoStore

/// Finding workspace roots in a snapshot.
public enum WorkspaceRoot {
    /// tropo's `find_root`: walk up from `start` (a file means its folder) to the snapshot's
    /// top. Every folder holding `.vivary/workspace.toml` is a thin root, and two of them
    /// on the way are an error; a thin root wins over the nearest legacy `tropo.toml` root.
    public static func find(in snapshot: Snapshot, from start: String) throws(ExoError) -> String? {
        var d = start
        if snapshot.isFile(d) { d = SnapPath.parent(d) }
        var thinRoots: [String] = []
        var nearestLegacy: String? = nil
        while true {
            if snapshot.isFile(SnapPath.join(d, ThinWorkspace.configPath)) { thinRoots.append(d) }
            if nearestLegacy == nil && snapshot.isFile(SnapPath.join(d, Workspace.legacyConfig)) { nearestLegacy = d }
            if d.isEmpty { break }
            d = SnapPath.parent(d)
        }
        if thinRoots.count > 1 {
            throw .competingRoots(thinRoots.map(snapshot.describe))
        }
        return thinRoots.first ?? nearestLegacy
    }

    /// Like `find`, but no workspace is an error naming where the walk started.
    public static func require(in snapshot: Snapshot, from start: String) throws(ExoError) -> String {
        guard let root = try find(in: snapshot, from: start) else {
            throw .noWorkspace(from: snapshot.describe(start))
        }
        return root
    }

    /// The nearest folder above `root` that holds a thin config, if any.
    static func thinAncestor(above root: String, in snapshot: Snapshot) -> String? {
        var d = root
        while !d.isEmpty {
            d = SnapPath.parent(d)
            if snapshot.isFile(SnapPath.join(d, ThinWorkspace.configPath)) { return d }
        }
        return nil
    }

    /// Every workspace root in a snapshot: a folder with `.vivary/workspace.toml`, or with
    /// a `tropo.toml` that has no enclosing `tropo.toml` or thin config of its own.
    /// Folders that tropo always excludes (`.git`, `node_modules`, ...) are not searched.
    /// With a cache, the roots under a tree already searched are not searched again.
    public static func all(in snapshot: Snapshot, cache: ParseCache? = nil) -> [String] {
        search(snapshot, cache: cache).roots
    }

    /// Every workspace root in a snapshot (as `all`), and whether nothing but the folders'
    /// entries bore on the answer (no symlinked config, no folder past the depth limit).
    package static func search(_ snapshot: Snapshot, cache: ParseCache?) -> (roots: [String], cacheable: Bool) {
        /// The roots under `dir`, relative to it, and whether that answer may be cached.
        func visit(_ dir: String, enclosed: Bool, depth: Int) -> (roots: [String], cacheable: Bool) {
            // Not below `SnapPath.maxDepth`: the walk of the root above refuses such a tree.
            if depth > SnapPath.maxDepth { return ([], false) }
            var key: CacheKey? = nil
            if let cache, let keyed = snapshot.keyed, let tree = keyed.treeKey(dir) {
                key = keyed.digest("exo-guard roots 1\u{0}\(tree.hex)\u{0}\(enclosed)")
                if let key, let hit = cache.roots(key) { return (hit, true) }
            }
            let entries = snapshot.list(dir)
            var cacheable = true
            var thin = false
            var legacy = false
            for e in entries {
                if Exact(e.name) == Exact(".vivary") {
                    thin = snapshot.isFile(SnapPath.join(dir, ThinWorkspace.configPath))
                    if e.kind != .directory || snapshot.kind(SnapPath.join(dir, ThinWorkspace.configPath)) == .symlink {
                        cacheable = false
                    }
                } else if Exact(e.name) == Exact(Workspace.legacyConfig) {
                    legacy = snapshot.isFile(SnapPath.join(dir, Workspace.legacyConfig))
                    if e.kind == .symlink { cacheable = false }
                }
            }
            let isRoot = thin || (legacy && !enclosed)
            var roots: [String] = isRoot ? [""] : []
            for e in entries where e.kind == .directory {
                if EffectiveConfig.defaultExclude.contains(e.name) { continue }
                let below = visit(SnapPath.join(dir, e.name), enclosed: enclosed || isRoot, depth: depth + 1)
                roots += below.roots.map { SnapPath.join(e.name, $0) }
                if !below.cacheable { cacheable = false }
            }
            if cacheable, let key { cache?.keepRoots(key, roots) }
            return (roots, cacheable)
        }
        let found = visit("", enclosed: false, depth: 0)
        return (found.roots.sorted { Exact($0) < Exact($1) }, found.cacheable)
    }
}
