/// The engine under `check` and every hook: the conflicts of a base and a target
/// snapshot compared pair by pair, for each workspace, and the decision.
public enum Guard {
    /// One workspace's comparison.
    public struct WorkspaceCheck: Sendable {
        /// The workspace root inside the tree (`""` at the top).
        public let root: String
        public let diff: GraphDiff
    }

    /// One comparison of two snapshots (a commit, or one ref of a push).
    public struct Check: Sendable {
        public let base: String
        public let target: String
        public let workspaces: [WorkspaceCheck]
        public var hasNew: Bool { workspaces.contains { !$0.diff.new.isEmpty } }
    }

    /// The verdict over every check of one run.
    public struct Verdict: Sendable {
        public let mode: GuardMode
        public let checks: [Check]
        public var decision: Decision {
            guard checks.contains(where: \.hasNew) else { return .pass }
            return mode == .block ? .block : .warn
        }
        public var exitCode: Int32 { decision == .block ? 1 : 0 }
        public init(mode: GuardMode, checks: [Check]) {
            self.mode = mode
            self.checks = checks
        }
    }

    /// Compares `base` and `target` in each workspace: the `roots` given (git config
    /// `exo.root`), else every workspace root either snapshot holds. A root whose config
    /// is missing from one side counts as an empty graph on that side.
    public static func compare(base: Snapshot, baseLabel: String, target: Snapshot, targetLabel: String,
                               roots: [String]?, cache: ParseCache) throws(ExoError) -> Check {
        var chosen: [String]
        if let roots {
            chosen = roots
        } else {
            chosen = WorkspaceRoot.all(in: target, cache: cache)
            for r in WorkspaceRoot.all(in: base, cache: cache) where !chosen.contains(r) { chosen.append(r) }
        }
        var checks: [WorkspaceCheck] = []
        for root in chosen {
            let baseGraph = try graph(of: base, root: root, cache: cache)
            // With no cache to start from, the cache's file is written while the views are made.
            cache.flushSoon()
            let before = cache.coordination(baseGraph)
            let after = cache.coordination(try graph(of: target, root: root, cache: cache), near: before)
            checks.append(WorkspaceCheck(root: root, diff: GraphDiff(base: before, target: after)))
        }
        return Check(base: baseLabel, target: targetLabel, workspaces: checks)
    }

    /// The graph of the workspace rooted at `root`, empty when the snapshot has no config there.
    static func graph(of snapshot: Snapshot, root: String, cache: ParseCache) throws(ExoError) -> Graph {
        let hasConfig = snapshot.isFile(SnapPath.join(root, ThinWorkspace.configPath))
            || snapshot.isFile(SnapPath.join(root, Workspace.legacyConfig))
        guard hasConfig else { return .empty }
        return try Workspace(snapshot: snapshot, root: root).graph(cache: cache)
    }

    /// Workspace roots named by git config `exo.root` (normalized tree paths), nil when unset.
    public static func configuredRoots(_ config: GitConfig) throws(ExoError) -> [String]? {
        let values = config.strings("exo.root")
        guard !values.isEmpty else { return nil }
        var roots: [String] = []
        for v in values {
            guard let p = SnapPath.normalize(v.split(separator: "/", omittingEmptySubsequences: false)) else {
                throw .usage("git config exo.root \(PythonString.repr(v)) climbs out of the tree")
            }
            roots.append(p)
        }
        return roots
    }
}

extension Guard {
    /// One workspace compared between two snapshots whose roots may differ (the files on
    /// disk against a tree): `check`'s case.
    public static func compare(base: Snapshot, baseRoot: String?, baseLabel: String,
                               target: Snapshot, targetRoot: String, targetLabel: String,
                               reportRoot: String, cache: ParseCache) throws(ExoError) -> Check {
        let before = try baseRoot.map { r throws(ExoError) in try graph(of: base, root: r, cache: cache) } ?? .empty
        let after = try Workspace(snapshot: target, root: targetRoot).graph(cache: cache)
        cache.flushSoon()
        let baseView = cache.coordination(before)
        return Check(base: baseLabel, target: targetLabel,
                     workspaces: [WorkspaceCheck(root: reportRoot, diff: GraphDiff(base: baseView, target: cache.coordination(after, near: baseView)))])
    }
}
