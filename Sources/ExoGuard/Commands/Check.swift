import ArgumentParser
import ExoCore
import ExoModel
import ExoSnapshot

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare a base and a target graph: block (exit 1) or warn when new conflicts appear.",
        discussion: """
            Base: HEAD (the empty graph on an unborn branch), --base REV, or --base-empty.
            Target: the files on disk, --staged (the index) or --rev REV.
            Only new conflicts count: a pair that is new, or that shares more than before, on this
            line or against the work in flight on a watched branch (git config exo.watch).
            Exit 0 pass (warnings included), 1 blocked, 2 error.
            """
    )

    @OptionGroup var snapshot: SnapshotOptions
    @Option(help: "The base revision (default: HEAD).") var base: String?
    @Flag(help: "Compare against the empty graph.") var baseEmpty = false
    @Option(help: "Watch refs matching this pattern instead of git config exo.watch (repeatable).")
    var watch: [String] = []
    @Flag(help: "Watch no other branch in this run.") var noWatch = false
    @OptionGroup var output: GuardOutputOptions
    @OptionGroup var report: ReportFormatOptions

    func validate() throws {
        if base != nil && baseEmpty { throw ValidationError("--base and --base-empty cannot be used together") }
        if noWatch && !watch.isEmpty { throw ValidationError("--watch and --no-watch cannot be used together") }
    }

    func run() throws {
        let needsRepository = !baseEmpty || snapshot.selection != .worktree
        let session = try Session(repository: needsRepository ? .required : .optional, writesCache: true)
        let choice: Session.Base = baseEmpty ? .empty : base.map { .revision($0) } ?? .head
        let watching: [String]? = noWatch ? [] : watch.isEmpty ? nil : watch
        let format = try report.resolved(default: .text, environment: session.environment)
        try output.judge(
            session, hook: "check", bypass: "git commit --no-verify", saysPass: true, format: format,
            outputFile: report.output
        ) { () throws(ExoError) in
            [try session.check(snapshot.selection, root: snapshot.root, base: choice, watching: watching)]
        }
    }
}
