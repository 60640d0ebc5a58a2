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
            throw .competingRoots("competing thin-v0.3 roots: " + thinRoots.map(snapshot.describe).joined(separator: ", "))
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
    public static func all(in snapshot: Snapshot) -> [String] {
        var roots: [String] = []
        func visit(_ dir: String, enclosed: Bool) {
            let entries = snapshot.list(dir)
            let names = Set(entries.map { Exact($0.name) })
            let thin = names.contains(".vivary") && snapshot.isFile(SnapPath.join(dir, ThinWorkspace.configPath))
            let legacy = names.contains(Exact(Workspace.legacyConfig)) && snapshot.isFile(SnapPath.join(dir, Workspace.legacyConfig))
            let isRoot = thin || (legacy && !enclosed)
            if isRoot { roots.append(dir) }
            for e in entries where e.kind == .directory {
                if EffectiveConfig.defaultExclude.contains(e.name) { continue }
                visit(SnapPath.join(dir, e.name), enclosed: enclosed || isRoot)
            }
        }
        visit("", enclosed: false)
        return roots.sorted { Exact($0) < Exact($1) }
    }
}
