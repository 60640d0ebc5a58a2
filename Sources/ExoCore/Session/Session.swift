import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoSnapshot
import ExoStore

/// One run of exo-guard, wired together in one place: the repository (when there is one),
/// its git config, the environment, the parse cache, the workspace roots and the mode.
/// Every command and hook is served by a session; the command line parses arguments,
/// and still turns a hook's checks into the verdict it prints and exits with
/// (ExoGuard's Hook.swift, `judge`): moving that policy here is issue 27's.
public final class Session {
    /// The process environment the run started with.
    public let environment: [String: String]
    /// The repository around the current folder (or named by `GIT_DIR`); nil outside one.
    public let repository: Repository?
    /// The repository's git config; nil outside a repository.
    public let config: GitConfig?
    /// Parsed documents, folders and views shared by every snapshot of the run.
    public let cache: ParseCache
    /// Workspace roots named by git config `exo.root`; nil when unset (every root counts).
    public let roots: [String]?
    /// How many refs the watches of this run watched, together (for `EXO_GUARD_STATS`): a
    /// count, not the watches, which a push of many refs would keep one per pushed ref.
    var watchedRefs = 0
    /// The probes this session's work counts in: those it was made under (exo-guard's entry
    /// runs every command under one `Probes`, and prints it for `EXO_GUARD_STATS=1`), else
    /// its own, which count what runs under `Probe.counting(in: session.probes)`.
    public let probes = Probe.current ?? Probes()
    /// What the watches of this run read, and the refs listed.
    let watchMemo = Watch.Memo()
    var listedReferences: [Repository.Reference]? = nil
    /// The base states this run's checks made (a push of many new refs starts each from
    /// the same one).
    let baseViews = Guard.BaseViews()
    /// With a push of several refs, the watch of every ref the push leaves (Watch+Wide.swift).
    var wideWatch: Watch? = nil
    /// The ref names a watch of this run matched last, with the names and patterns asked.
    var matchedNames: (names: Set<String>, patterns: [String], matching: [String])? = nil
    /// Every ref of a push at its new value (nil: deleted), set before its refs are checked.
    var pushedTips: [String: ObjectID?] = [:]
    var commitTimes: [ObjectID: (ObjectID, Int64)?] = [:]
    /// The admission lock while a hook decides (Admission.swift), and the pending
    /// admissions read once per run.
    var admissionLock: Admissions.Lock? = nil
    /// What the admission step could not do, said once the hook has decided.
    var admissionNotes: [String] = []
    /// The index a pre-commit judged, whose trees an admitted commit is written from.
    var admittedIndex: GitSnapshot? = nil
    var pending: [String: ObjectID]? = nil

    /// Opens a session. `repository` says whether the run needs a repository (an error
    /// without one), may use one (`.optional`) or never touches git (`.none`).
    /// `writesCache`: hooks and `check` keep what they compute; read-only commands only read.
    public init(repository need: RepositoryNeed, writesCache: Bool) throws(ExoError) {
        environment = ProcessEnvironment.all()
        let repository: Repository?
        switch need {
        case .required: repository = try Repository.current()
        case .optional: repository = try? Repository.current()
        case .none: repository = nil
        }
        self.repository = repository
        let config = try repository?.config()
        self.config = config
        roots = try config.flatMap { c throws(ExoError) in try Self.configuredRoots(c) }
        cache = ParseCache(
            store: repository.flatMap { Self.store(for: $0, config: config) }, writes: writesCache,
            remembering: !Self.runsPlain(environment))
        if let bytes = try Self.integer("exo.maxFrontmatter", in: config, least: 1, expected: "a number of bytes") {
            cache.maxFrontmatter = bytes
        }
        repository?.readLimit = .frontmatter(cache.maxFrontmatter)
        try checkSettings()
    }

    /// The cache's file for a repository, or nil when turned off (`EXO_GUARD_CACHE=0`, or
    /// `exo.cache` false in its git config, or the plain engine, which reads nothing an
    /// earlier run kept and keeps nothing: its answer is the definitions' alone, so a test
    /// that compares it with the fast engine's catches a wrong cache entry too).
    static func store(for repository: Repository, config: GitConfig?) -> DiskParseStore? {
        if repository.environment["EXO_GUARD_CACHE"] == "0" { return nil }
        if runsPlain(repository.environment) { return nil }
        if let v = config?.string("exo.cache"), gitBoolean(v) == false { return nil }
        return DiskParseStore(directory: repository.commonDir)
    }

    /// Whether a command needs a git repository, uses one when there is one, or never opens one.
    public enum RepositoryNeed: Sendable { case required, optional, none }

    /// The repository, or the error a command that needs one reports.
    public func requireRepository() throws(ExoError) -> Repository {
        if let repository { return repository }
        return try Repository.current()  // throws the reason
    }

    /// The mode: `--mode` > `EXO_GUARD_MODE` > git config `exo.mode` > block.
    public func mode(flag: String?) throws(ExoError) -> GuardMode {
        let (mode, source) = try GuardMode.resolved(flag: flag, environment: environment) { config?.string("exo.mode") }
        modeSource = source
        return mode
    }

    /// Where the mode came from, once `mode(flag:)` has read it.
    public private(set) var modeSource = "default"
    /// When the run started, for the audit log's `duration_ms`.
    public let started = Audit.now()

    /// How the views and the judgement are made: the fast engine (ExoEngine), or with
    /// `EXO_GUARD_ENGINE=plain` the definitions alone (ExoGraph's Engine.swift), for the
    /// tests that ask both for the same verdict.
    public var engine: any Engine { Self.runsPlain(environment) ? PlainEngine() : FastEngine() }

    /// Whether the run is on the plain engine (`EXO_GUARD_ENGINE=plain`): whole views,
    /// ExoRules' judgement, and a walk that remembers nothing (no cache, no folder met before).
    static func runsPlain(_ environment: [String: String]) -> Bool { environment["EXO_GUARD_ENGINE"] == "plain" }

    /// Whether a boolean git config key is set to true (`exo.showBypass`, `exo.strict`); its
    /// value was checked when the session opened (Settings.swift).
    public func flag(_ key: String) -> Bool {
        config?.string(key).flatMap(Self.gitBoolean) ?? false
    }

    /// Writes what the run computed to the cache file, if it keeps one.
    public func finish() { cache.flush() }

    // MARK: - Snapshots

    /// The snapshot a command reads, with the tree of the commit it came from.
    public func snapshot(_ selection: Selection) throws(ExoError) -> (snapshot: Snapshot, label: String) {
        switch selection {
        case .worktree:
            return (FileSystemSnapshot(limit: .frontmatter(cache.maxFrontmatter)), "worktree")
        case .staged:
            let repository = try requireRepository()
            return (try GitSnapshot(indexOf: repository, head: try repository.headCommit()), "index")
        case .revision(let rev):
            let repository = try requireRepository()
            let id = try repository.commit(rev)
            return (try GitSnapshot(repository: repository, commit: id, label: id.description), id.description)
        }
    }

    /// The snapshot of a commit, the empty one for none.
    func snapshot(of commit: ObjectID?) throws(ExoError) -> Snapshot {
        guard let commit else { return EmptySnapshot() }
        return try GitSnapshot(repository: try requireRepository(), commit: commit, label: commit.description)
    }

    /// The workspace a command reads: the snapshot, then the walk up from `--root` (or the
    /// current folder) to the workspace root.
    public func workspace(_ selection: Selection, root: String?) throws(ExoError) -> Workspace {
        let (snapshot, _) = try self.snapshot(selection)
        let found: String
        if selection == .worktree {
            found = try filesRoot(root, in: snapshot)
        } else {
            found = try WorkspaceRoot.require(in: snapshot, from: treePath(for: root, in: try requireRepository()))
        }
        return try Workspace(snapshot: snapshot, root: found, cache: cache)
    }

    /// exo's view of the workspace a command reads (`conflicts`, `board`), made by the
    /// session's engine (the fast one: kept by an earlier run, else computed whole and kept).
    public func view(_ selection: Selection, root: String?) throws(ExoError) -> (Workspace, Coordination) {
        let workspace = try workspace(selection, root: root)
        return (workspace, engine.view(of: try workspace.graph(), near: nil, cache: cache))
    }

    /// The workspace root on disk, walking up from `--root` (or the current folder). In a
    /// bare repository, where there are no files, the error says to read a revision.
    func filesRoot(_ root: String?, in files: Snapshot) throws(ExoError) -> String {
        do {
            return try WorkspaceRoot.require(in: files, from: FileSystemSnapshot.absolutePath(root ?? "."))
        } catch {
            guard case .noWorkspace(let from) = error, root == nil,
                let repository = repository ?? (try? Repository.current()), repository.workTree == nil
            else { throw error }
            throw .usage(
                "\(from) is inside a bare repository, which has no files on disk: read a revision with --rev REV (e.g. --rev HEAD)"
            )
        }
    }

    /// `--root` (or the current directory) as a path inside the tree: relative to the work
    /// tree in a checkout, relative to the tree's top in a bare repository. The walk up
    /// stops at the top of the tree.
    public func treePath(for root: String?, in repository: Repository) throws(ExoError) -> String {
        guard let workTree = repository.workTree else {
            guard let root else { return "" }
            guard let p = SnapPath.normalize(root.split(separator: "/", omittingEmptySubsequences: false)) else {
                throw .usage("--root \(root) climbs out of the tree")
            }
            return p
        }
        let absolute = FileSystemPath.absolute(root ?? repository.currentDirectory)
        if let rel = SnapPath.relative(String(absolute.dropFirst()), to: String(workTree.dropFirst())) { return rel }
        if root == nil { return "" }  // e.g. a hook running inside the git dir
        throw .usage("--root \(absolute) is outside the work tree \(workTree)")
    }

    /// Workspace roots named by git config `exo.root` (normalized tree paths), nil when unset.
    static func configuredRoots(_ config: GitConfig) throws(ExoError) -> [String]? {
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

extension Session {
    /// What `check` compares the target with.
    public enum Base: Sendable, Equatable {
        /// HEAD, or the empty graph on an unborn branch.
        case head
        case revision(String)
        case empty
    }

    /// `check`: a base state of the line against a target (the files on disk, the index or
    /// a revision), with the work in flight on the watched refs (`watching` replaces git
    /// config `exo.watch`; empty turns watching off).
    public func check(
        _ selection: Selection, root: String?, base: Base, watching: [String]?, excluding extra: Set<String> = [],
        targetName name: String? = nil, overlay: [String: [UInt8]]? = nil
    ) throws(ExoError) -> Guard.Check {
        let repository = self.repository
        if selection != .worktree || base != .empty { _ = try requireRepository() }
        let head = try repository?.headCommit()
        let lineCommits = (head.map { [$0] } ?? []) + (repository?.mergeHeads() ?? [])
        let target: Guard.LineState
        let targetRoot: String
        let treeRoot: String?
        let targetName: String
        var excluded = repository.map(currentBranchRefs) ?? []
        switch selection {
        case .worktree:
            // With an overlay: the files on disk as an edit about to be made would leave them.
            let disk = FileSystemSnapshot(limit: .frontmatter(cache.maxFrontmatter))
            let files: Snapshot = overlay.map { OverlaySnapshot(base: disk, files: $0) } ?? disk
            targetRoot = try filesRoot(root, in: files)
            treeRoot = repository?.workTree.flatMap { SnapPath.relative(targetRoot, to: String($0.dropFirst())) }
            target = Guard.LineState(snapshot: files, label: "worktree", commits: lineCommits)
            targetName = overlay == nil ? "the files on disk" : "the files on disk with the edit"
        case .staged:
            let repo = try requireRepository()
            let index = try GitSnapshot(indexOf: repo, head: head)
            targetRoot = try WorkspaceRoot.require(in: index, from: treePath(for: root, in: repo))
            treeRoot = targetRoot
            target = Guard.LineState(snapshot: index, label: "index", commits: lineCommits)
            targetName = "the staged changes"
        case .revision(let rev):
            let repo = try requireRepository()
            target = try line(try repo.commit(rev))
            targetRoot = try WorkspaceRoot.require(in: target.snapshot, from: treePath(for: root, in: repo))
            treeRoot = targetRoot
            targetName = name ?? "\(rev) \(target.commits[0].short)"
            excluded = Set(["refs/heads/\(rev)", rev, "refs/remotes/\(rev)"]).union(extra)
        }
        let baseLine: Guard.LineState
        let baseName: String
        switch base {
        case .empty:
            (baseLine, baseName) = (.empty, "the empty graph")
        case .head:
            baseLine = try line(head)
            baseName = head.map { "HEAD \($0.short)" } ?? "the empty graph (unborn branch)"
        case .revision(let rev):
            let id = try requireRepository().commit(rev)
            (baseLine, baseName) = (try line(id), rev == id.description ? id.short : "\(rev) \(id.short)")
        }
        let workspace = Guard.Root(base: treeRoot, target: targetRoot, tree: treeRoot, report: treeRoot ?? "")
        let watch = try watch(excluding: excluded, patterns: watching)
        var check = try Guard.compare(
            base: baseLine, target: target, title: "\(baseName) -> \(targetName)",
            roots: [workspace], watch: watch, cache: cache, engine: engine)
        check.unreadable = watch?.unreadableRefs ?? []
        return check
    }
}
