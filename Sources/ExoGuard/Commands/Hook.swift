import ArgumentParser
import ExoCore
import ExoGraph
import ExoModel
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run as a git hook (installed by `exo-guard install`, or from hooks/).",
        discussion:
            "The report goes to stderr (on a server, the pusher sees it as remote: lines). A repository without a workspace passes silently.",
        subcommands: [
            PreCommit.self, PreMergeCommit.self, PrePush.self, Update.self, PreReceive.self, ReferenceTransaction.self,
            Agent.self,
        ]
    )

    func run() throws {
        throw ValidationError(
            "name the hook: pre-commit, pre-merge-commit, pre-push, update, pre-receive, reference-transaction or agent")
    }
}

/// What `check` and every hook share: the mode, the report, the exit code. Given on the
/// command line (`GuardOutputOptions`), or none given (`GitHookOutput`: a hook as git runs
/// it, not parsed at all).
protocol GuardOutput {
    var mode: String? { get }
    var json: Bool { get }
    var verbose: Bool { get }
}

/// The mode and report options, from the command line.
struct GuardOutputOptions: ParsableArguments, GuardOutput {
    @Option(
        help: "block, warn or off (default: EXO_GUARD_MODE, then git config exo.mode, then block).",
        completion: .list(GuardMode.allCases.map(\.rawValue))) var mode: String?
    @Flag(help: "Print one JSON object (a hook prints it on stdout, its report still on stderr).") var json = false
    @Flag(help: "List existing and resolved conflicts one by one.") var verbose = false
}

/// A hook as git runs it: no option, every choice its default.
struct GitHookOutput: GuardOutput {
    let mode: String? = nil
    let json = false
    let verbose = false
}

extension GuardOutput {
    /// Runs the comparisons `checks` makes in `session` (unless the mode is off), prints the
    /// report, and exits 1 when blocked. `saysPass`: `check` prints a line when all is well;
    /// a hook passes silently and reports on stderr.
    func judge(
        _ session: Session, hook: String, bypass: String?, saysPass: Bool, linePrefix: String = "",
        audit given: Audit? = nil, format: ReportFormat = .text, outputFile: String? = nil,
        _ checks: () throws(ExoError) -> [Guard.Check]
    ) throws {
        defer { session.finish() }
        let audit = given ?? Audit(session: session, hook: hook)
        guard let judged = try session.judge(mode: mode, audit: audit, say: Output.writeError, checks) else { return }
        let verdict = judged.verdict
        for note in judged.notes { Output.writeError(linePrefix + "exo-guard: note \u{2014} \(note)\n") }
        KeptUntilExit.keep((verdict, session))
        if session.environment["EXO_GUARD_STATS"] == "1" { Output.writeError(session.watchStats + "\n") }
        let report = GuardReport(
            verdict: verdict, bypass: session.flag("exo.showBypass") ? bypass : nil,
            verbose: verbose, colour: Terminal.colour)
        let format = json ? .json : format
        if saysPass, format == .github {
            Output.write(Self.saidText(report))
            Output.write(report.githubCommands)
            if let summary = session.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty {
                try ReportFile.write(report.githubSummary, to: summary, append: true)
            }
        } else if saysPass, format.isFile {
            let file = format == .sarif ? report.sarif : report.codeQuality
            let text = Self.saidText(report)
            if let outputFile {
                try ReportFile.write(file, to: outputFile)
                Output.write(text)
            } else {
                Output.write(file)
                Output.flush()
                Output.writeError(text)
            }
        } else if saysPass {
            if format == .json {
                Output.write(report.json)
            } else {
                Output.write(Self.saidText(report))
            }
        } else {
            if json { Output.write(report.json) }
            Output.flush()
            let text = report.text
            if !text.isEmpty { Output.writeError(Self.prefixed(text, linePrefix)) }
        }
        if let line = audit.record(verdict, started: session.started) { Output.writeError(line + "\n") }
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }

    /// The text report, or for a command that says so when all is well, the line that says it.
    static func saidText(_ report: GuardReport) -> String {
        let text = report.text
        return text.isEmpty ? "exo-guard: pass \u{2014} no new conflicts\n" : text
    }

    /// Every line of `text` behind `prefix` (GitLab shows the pusher lines behind `GL-HOOK-ERR: `).
    static func prefixed(_ text: String, _ prefix: String) -> String {
        guard !prefix.isEmpty else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { prefix + $0 + "\n" }.joined()
    }

    /// A hook's run: a session on the repository git runs it in, within its time budget.
    func hook(
        _ name: String, bypass: String?, place: Budget.Place, what: String,
        _ checks: (Session) throws(ExoError) -> [Guard.Check]
    ) throws {
        let session = try Session(repository: .required, writesCache: true)
        // On a GitLab server (GL_ID set) the lines meant for the pusher carry GitLab's prefix.
        let prefix = place == .server && session.environment["GL_ID"] != nil ? "GL-HOOK-ERR: " : ""
        let audit = Audit(session: session, hook: name)
        try session.budget(place).start(what: what, audit: audit, started: session.started, linePrefix: prefix)
        try judge(session, hook: name, bypass: bypass, saysPass: false, linePrefix: prefix, audit: audit) { () throws(ExoError) in
            session.beginAdmitting()
            return try checks(session)
        }
    }
}

enum StandardInput {
    static func lines() -> [String] {
        String(decoding: bytes(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Everything on stdin.
    static func bytes() -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(0, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }
}

enum Terminal {
    /// Colour only on a terminal, and never when NO_COLOR is set.
    static var colour: Bool { isatty(2) == 1 && getenv("NO_COLOR") == nil }
}

extension Hook {
    struct PreCommit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-commit",
            abstract: "HEAD (empty when unborn) against the index git is about to commit (GIT_INDEX_FILE).")
        @OptionGroup var options: GuardOutputOptions
        func run() throws { try Self.run(options) }
        static func run(_ options: some GuardOutput) throws {
            try options.hook("pre-commit", bypass: "git commit --no-verify", place: .local, what: "the commit") {
                s throws(ExoError) in
                try s.preCommit()
            }
        }
    }

    struct PreMergeCommit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-merge-commit",
            abstract: "Run by git merge before it commits a merge without conflicts: HEAD against the merge's index.")
        @OptionGroup var options: GuardOutputOptions
        func run() throws { try Self.run(options) }
        static func run(_ options: some GuardOutput) throws {
            try options.hook("pre-merge-commit", bypass: "git merge --no-verify", place: .local, what: "the merge") {
                s throws(ExoError) in
                try s.preCommit()
            }
        }
    }

    struct PrePush: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-push",
            abstract:
                "Every pushed ref (stdin lines from git, or PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF under the pre-commit framework)."
        )
        @Argument(help: "The remote's name.") var remote: String?
        @Argument(help: "The remote's URL.") var url: String?
        @OptionGroup var options: GuardOutputOptions
        func run() throws {
            let env = ProcessEnvironment.all()
            let framework = env["PRE_COMMIT_TO_REF"].flatMap { $0.isEmpty ? nil : $0 }
            guard let remoteName = env["PRE_COMMIT_REMOTE_NAME"] ?? remote else {
                throw ValidationError(
                    "pre-push needs the remote's name and URL, as git passes them: exo-guard hook pre-push REMOTE URL (ref lines on stdin)"
                )
            }
            try options.hook("pre-push", bypass: "git push --no-verify", place: .local, what: "the push") { s throws(ExoError) in
                if let to = framework {
                    return try s.prePushFromFramework(
                        remote: remoteName, from: env["PRE_COMMIT_FROM_REF"] ?? "", to: to,
                        localBranch: env["PRE_COMMIT_LOCAL_BRANCH"], remoteBranch: env["PRE_COMMIT_REMOTE_BRANCH"])
                }
                return try s.prePush(remote: remoteName, refLines: StandardInput.lines())
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Server side, per ref: REF OLD NEW. Only refs/heads/* unless git config exo.refs says otherwise.")
        @Argument var ref: String
        @Argument var old: String
        @Argument var new: String
        @OptionGroup var options: GuardOutputOptions
        func run() throws { try Self.run(options, ref: ref, old: old, new: new) }
        static func run(_ options: some GuardOutput, ref: String, old: String, new: String) throws {
            try options.hook("update", bypass: nil, place: .server, what: "the push") { s throws(ExoError) in
                try s.update(ref: ref, old: old, new: new)
            }
        }
    }

    struct PreReceive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pre-receive",
            abstract: "Server side, one verdict for the whole push (stdin lines: OLD NEW REF); reads the quarantine.")
        @OptionGroup var options: GuardOutputOptions
        func run() throws { try Self.run(options) }
        static func run(_ options: some GuardOutput) throws {
            try options.hook("pre-receive", bypass: nil, place: .server, what: "the push") { s throws(ExoError) in
                try s.preReceive(refLines: StandardInput.lines())
            }
        }
    }

    struct ReferenceTransaction: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reference-transaction",
            abstract:
                "Opt-in (install --hook reference-transaction): in the prepared state, every update of a local branch to a commit no other ref holds, against the branch's old value."
        )
        @Argument(help: "The transaction's state: prepared, committed or aborted (only prepared is judged).") var state: String
        @OptionGroup var options: GuardOutputOptions
        func run() throws {
            guard state == "prepared" else { return }
            try options.hook("reference-transaction", bypass: nil, place: .local, what: "the ref update") {
                s throws(ExoError) in
                try s.referenceTransaction(state: state, lines: StandardInput.lines())
            }
        }
    }
}
