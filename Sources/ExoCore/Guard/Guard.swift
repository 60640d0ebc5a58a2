import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

/// The engine under `check` and every hook: the conflicts of a base and a target state of
/// the line compared pair by pair, for each workspace, with the work in flight on the
/// watched refs; and the decision.
public enum Guard {
    /// One state of the line being checked: the snapshot it holds and the commits it
    /// stands on (the commit itself; HEAD and `MERGE_HEAD` for a merge being committed;
    /// none for the empty graph).
    public struct LineState {
        /// The tree, index or files this state holds.
        public let snapshot: Snapshot
        /// `worktree`, `index`, `empty` or a commit id.
        public let label: String
        /// The commits the state stands on, for merge bases with the watched refs.
        public let commits: [ObjectID]

        /// A state of the line: what it holds, its name in reports, the commits under it.
        public init(snapshot: Snapshot, label: String, commits: [ObjectID]) {
            self.snapshot = snapshot
            self.label = label
            self.commits = commits
        }

        /// The empty graph, standing on no commit (a first commit, `--base-empty`).
        public static var empty: LineState { LineState(snapshot: EmptySnapshot(), label: "empty", commits: []) }
    }

    /// Where one workspace is on each side: its root in the base and target snapshots (the
    /// target may be the files on disk), inside git's trees (for the watched refs), and as
    /// the report names it.
    public struct Root {
        /// The root in the base snapshot; nil when the base has no such workspace.
        public let base: String?
        /// The root in the target snapshot (on disk: an absolute snapshot path).
        public let target: String
        /// The root inside git's trees, for the watched refs; nil when the target is not in git.
        public let tree: String?
        /// The root as the report names it (`""` at the top).
        public let report: String

        /// A workspace at the same tree path on every side.
        public init(_ root: String) { self.init(base: root, target: root, tree: root, report: root) }

        /// A workspace whose root differs between the sides.
        public init(base: String?, target: String, tree: String?, report: String) {
            self.base = base
            self.target = target
            self.tree = tree
            self.report = report
        }
    }

    /// One workspace's comparison.
    public struct WorkspaceCheck: Sendable {
        /// The workspace root inside the tree (`""` at the top).
        public let root: String
        /// The base's and the target's conflicts compared pair by pair.
        public let diff: GraphDiff
        /// What the commit adds to the conflicts across lines of work.
        public let branches: BranchDiff
        /// The watched refs with changes in flight, by full name, for the report.
        public let refs: [String: RefView]
        /// For the changes of the new conflicts the report lists: target -> the fields that name it.
        public let fields: [String: [String: [String]]]
        /// Changes the commit activates or widens toward a target no document has, and
        /// change documents it adds or modifies whose frontmatter does not parse: the first
        /// `Doubtful.kept` of them.
        public let doubtful: [Doubtful]
        /// How many doubtful changes there are, listed or not.
        public let doubtfulCount: Int
        /// Why the base could not be read, when it could not (then nothing is new).
        public let baseError: ExoError?
        /// For each change document a new conflict or a doubtful change names on the line:
        /// the 1-based line of its `status:` field (1 when it has none), where CI formats
        /// put their annotations.
        public var statusLines: [String: Int] = [:]
    }

    /// What a report says of a watched ref: its tip, the state of each change in flight
    /// there (its document's path, its assignee), and the paths of shared targets only the
    /// ref has a document for.
    /// One object shared by every check that views the ref the same (a push of many refs
    /// has each check view every other ref).
    public final class RefView: Sendable {
        /// The ref, its tip and the tip's date.
        public let ref: WatchedRef
        /// By id, and below by target: keyed by code points (`Exact`), as exo compares ids.
        let states: [Exact: ChangeState]
        let targetPaths: [Exact: String]
        /// For a piece of work other watched refs hold too: how many.
        let also: [Exact: Int]
        /// The ref's line the states were read from (the same list, not a copy, when a
        /// later check holds it too: then the view is the same).
        let items: [WorkLine.Item]

        init(
            ref: WatchedRef, items: [WorkLine.Item], targetPaths: [Exact: String], also: [Exact: Int]
        ) {
            self.ref = ref
            var states: [Exact: ChangeState] = [:]
            for item in items { states[Exact(item.id)] = item.state }
            self.states = states
            self.items = items
            self.targetPaths = targetPaths
            self.also = also
        }

        /// Whether this view was made from `items`: the same list, else the same states.
        func isMade(from items: [WorkLine.Item]) -> Bool {
            guard states.count == items.count else { return false }
            let same = self.items.withUnsafeBufferPointer { x in items.withUnsafeBufferPointer { $0.baseAddress == x.baseAddress }
            }
            return same || items.allSatisfy { states[Exact($0.id)] == $0.state }
        }

        /// The state of a change in flight on the ref, at its tip.
        public func state(of id: String) -> ChangeState? { states[Exact(id)] }
        /// The path of a shared target only the ref has a document for.
        func targetPath(_ target: String) -> String? { targetPaths[Exact(target)] }
        /// How many other watched refs hold the same piece of work as this one (0: none).
        public func alsoHeld(_ id: String) -> Int { also[Exact(id)] ?? 0 }
    }

    /// One comparison of two states (a commit, or one ref of a push).
    public struct Check: Sendable {
        /// The base state's label (a commit id, `empty`).
        public let base: String
        /// The target state's label (`index`, `worktree`, a commit id).
        public let target: String
        /// A plain-words name of what is compared ("HEAD 605415e -> the staged changes").
        public let title: String
        /// Each workspace's comparison, in the order the roots were found.
        public let workspaces: [WorkspaceCheck]
        /// A push into a repository that holds no commits: an import, not new work.
        public var isImport = false
        /// The ref committed to or pushed, for the audit log (nil when none).
        public var ref: String? = nil
        /// Watched refs whose tip could not be read (a broken `tropo.toml` committed with
        /// `--no-verify`): nothing in flight there is seen, and the report says so.
        public var unreadable: [(ref: String, error: String)] = []
        /// What a hook admits when it lets this check through (nil for `check` by hand).
        public var admitted: Admitted? = nil
        /// Lines the report prints for this check whatever the verdict (e.g. what was not watched).
        public var notes: [String] = []
        /// Whether a workspace holds a new conflict, on the line or across lines (never for an import).
        public var hasNew: Bool {
            !isImport && workspaces.contains { !$0.diff.new.isEmpty || !$0.branches.new.isEmpty }
        }
        /// Whether a workspace holds a doubtful change (never for an import).
        public var hasDoubtful: Bool { !isImport && workspaces.contains { !$0.doubtful.isEmpty } }
    }

    /// The verdict over every check of one run.
    public struct Verdict: Sendable {
        /// block, warn or off, as the run resolved it.
        public let mode: GuardMode
        /// Every comparison of the run (one per pushed ref on a server).
        public let checks: [Check]
        /// git config `exo.strict`: doubtful changes block like new conflicts.
        public let strict: Bool
        /// An error reading the target, when there was one: a guard fails closed.
        public let targetError: ExoError?

        /// pass, or (with a new conflict, a strict doubt or an unreadable target) warn or block by the mode.
        public var decision: Decision {
            Rules.decision(
                hasNew: checks.contains(where: \.hasNew), hasDoubtful: checks.contains(where: \.hasDoubtful),
                strict: strict, targetUnreadable: targetError != nil, blocks: mode == .block)
        }
        /// 1 when blocked, else 0.
        public var exitCode: Int32 { decision == .block ? 1 : 0 }

        /// The verdict of `checks` in `mode`.
        public init(mode: GuardMode, checks: [Check], strict: Bool = false, targetError: ExoError? = nil) {
            self.mode = mode
            self.checks = checks
            self.strict = strict
            self.targetError = targetError
        }
    }

    /// The workspace roots to check: the ones git config `exo.root` names, else every
    /// workspace root either snapshot holds.
    /// A configured root that neither snapshot holds a workspace at (a typo, or a folder
    /// inside a workspace) is a configuration error, never a silent pass.
    public static func roots(
        configured: [String]?, base: Snapshot, target: Snapshot, cache: ParseCache, knownFromBase: Bool = true
    ) throws(ExoError) -> [Root] {
        if let configured {
            for root in configured where !hasWorkspace(target, root) && !hasWorkspace(base, root) {
                throw .invalidSetting(
                    name: "git config exo.root", value: root, source: nil,
                    expected:
                        "a folder of the tree holding a workspace (\(Workspace.legacyConfig) or \(ThinWorkspace.configPath)); none is there"
                )
            }
            return configured.map(Root.init)
        }
        var chosen =
            knownFromBase
            ? WorkspaceRoot.all(in: target, knownFrom: base, cache: cache) : WorkspaceRoot.all(in: target, cache: cache)
        for r in WorkspaceRoot.all(in: base, cache: cache) where !chosen.contains(r) { chosen.append(r) }
        return chosen.map(Root.init)
    }

    /// Whether the snapshot holds a workspace configuration at `root`.
    static func hasWorkspace(_ snapshot: Snapshot, _ root: String) -> Bool {
        snapshot.isFile(SnapPath.join(root, ThinWorkspace.configPath))
            || snapshot.isFile(SnapPath.join(root, Workspace.legacyConfig))
    }

    /// The workspace at `root`; nil when the snapshot has no configuration there.
    static func workspace(of snapshot: Snapshot, root: String, cache: ParseCache) throws(ExoError) -> Workspace? {
        guard hasWorkspace(snapshot, root) else { return nil }
        return try Workspace(snapshot: snapshot, root: root, cache: cache)
    }
}
