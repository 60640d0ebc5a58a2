import ArgumentParser
import ExoCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare a base and a target graph: block (exit 1) or warn when new conflicts appear.",
        discussion: """
        Base: HEAD (the empty graph on an unborn branch), --base REV, or --base-empty.
        Target: the files on disk, --staged (the index) or --rev REV.
        Only new conflicts count: a pair that is new, or that shares more than before.
        Exit 0 pass (warnings included), 1 blocked, 2 error.
        """
    )

    @OptionGroup var snapshot: SnapshotOptions
    @Option(help: "The base revision (default: HEAD).") var base: String?
    @Flag(help: "Compare against the empty graph.") var baseEmpty = false
    @Option(help: "block, warn or off (default: EXO_GUARD_MODE, then git config exo.mode, then block).") var mode: String?
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "List existing and resolved conflicts one by one.") var verbose = false

    func validate() throws {
        if base != nil && baseEmpty { throw ValidationError("--base and --base-empty cannot be used together") }
    }

    func run() throws {
        let environment = ProcessEnvironment.all()
        let needsRepository = !baseEmpty || snapshot.selection != .worktree
        let repository: Repository? = needsRepository ? try Repository.current() : (try? Repository.current())
        let config = try repository?.config()
        let guardMode = try GuardMode.resolve(flag: mode, environment: environment) { config?.string("exo.mode") }
        if guardMode == .off { return }
        let cache = ParseCache(store: repository.flatMap { DiskParseStore.forRepository($0, config: config) })
        defer { cache.flush() }

        let target: Snapshot, targetRoot: String, targetLabel: String, treeRoot: String?
        switch snapshot.selection {
        case .worktree:
            target = FileSystemSnapshot()
            targetRoot = try WorkspaceRoot.require(in: target, from: FileSystemSnapshot.absolutePath(snapshot.root ?? "."))
            targetLabel = "worktree"
            treeRoot = repository?.workTree.flatMap { SnapPath.relative(targetRoot, to: String($0.dropFirst())) }
        case .staged, .revision:
            let repo = repository!
            if case .revision(let rev) = snapshot.selection {
                let id = try repo.commit(rev)
                target = try GitSnapshot(repository: repo, commit: id, label: id.description)
                targetLabel = id.description
            } else {
                target = try GitSnapshot(indexOf: repo, head: try repo.headCommit())
                targetLabel = "index"
            }
            targetRoot = try WorkspaceRoot.require(in: target, from: WorkspaceLoader.treePath(for: snapshot.root, in: repo))
            treeRoot = targetRoot
        }

        var baseSnapshot: Snapshot = EmptySnapshot()
        var baseLabel = "empty"
        if !baseEmpty, let repo = repository {
            let id = try base.map { r throws(ExoError) in try repo.commit(r) } ?? repo.headCommit()
            if let id {
                baseSnapshot = try GitSnapshot(repository: repo, commit: id, label: id.description)
                baseLabel = id.description
            }
        }
        let result = try Guard.compare(base: baseSnapshot, baseRoot: treeRoot, baseLabel: baseLabel,
                                       target: target, targetRoot: targetRoot, targetLabel: targetLabel,
                                       reportRoot: treeRoot ?? "", cache: cache)
        let verdict = Guard.Verdict(mode: guardMode, checks: [result])
        KeptUntilExit.keep((verdict, cache))
        let report = GuardReport(verdict: verdict, bypass: "git commit --no-verify", verbose: verbose, colour: Terminal.colour)
        if json {
            Output.write(report.json)
        } else {
            let text = report.text
            Output.write(text.isEmpty ? "exo-guard: pass \u{2014} no new conflicts\n" : text)
        }
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }
}
