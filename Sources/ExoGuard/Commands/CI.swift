import ArgumentParser
import ExoCore
import ExoModel

struct CI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Judge a pull request, merge group or push in CI (GitHub Actions, GitLab CI, elsewhere).",
        discussion: """
            Base and target come from the CI's environment: GitHub Actions (pull_request,
            pull_request_target, merge_group, push), GitLab CI (merge request and branch pipelines),
            elsewhere the merge base of HEAD with origin/HEAD. Watches the remote-tracking refs the
            job fetched, less the line's own; a shallow clone or one without other branches is
            named in a warning (fetch-depth: 0). Exit 0 pass (warnings included), 1 blocked, 2 error.
            """
    )

    @Option(help: "The workspace root (default: every workspace found from the top).") var root: String?
    @Option(help: "Watch refs matching this pattern instead of the remote-tracking refs (repeatable).")
    var watch: [String] = []
    @Flag(help: "Watch no other branch in this run.") var noWatch = false
    @OptionGroup var output: GuardOutputOptions
    @OptionGroup var report: ReportFormatOptions

    func validate() throws {
        if noWatch && !watch.isEmpty { throw ValidationError("--watch and --no-watch cannot be used together") }
    }

    func run() throws {
        let session = try Session(repository: .required, writesCache: true)
        let plan = try CIPlan.from(session.environment)
        let format = try report.resolved(default: .auto, environment: session.environment)
        // GitLab picks up the Code Quality report from the file the job names as an artifact.
        let file = report.output ?? (format == .codequality && plan.provider == "gitlab" ? "gl-code-quality-report.json" : nil)
        let watching: [String]? = noWatch ? [] : watch.isEmpty ? nil : watch
        try output.judge(session, hook: "ci", bypass: nil, saysPass: true, format: format, outputFile: file) {
            () throws(ExoError) in
            let (check, warnings) = try session.ci(plan, root: root, watching: watching)
            for line in warnings { Output.writeError("exo-guard: \(line)\n") }
            return [check]
        }
    }
}
