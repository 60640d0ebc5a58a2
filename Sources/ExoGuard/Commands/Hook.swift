import ArgumentParser
import ExoCore
#if canImport(Glibc)
import Glibc
#endif

struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Run as a git hook (installed by `exo-guard install`, or from hooks/).",
        discussion: "The report goes to stderr (on a server, the pusher sees it as remote: lines). A repository without a workspace passes silently.",
        subcommands: [PreCommit.self, PrePush.self, Update.self, PreReceive.self]
    )
}

/// What every hook shares: the mode, the report, the exit code.
struct HookOptions: ParsableArguments {
    @Option(help: "block, warn or off (default: EXO_GUARD_MODE, then git config exo.mode, then block).") var mode: String?
    @Flag(help: "Also print one JSON object on stdout.") var json = false
    @Flag(help: "List existing and resolved conflicts one by one.") var verbose = false

    func run(bypass: String?, _ checks: (Hooks) throws -> [Guard.Check]) throws {
        let repository = try Repository.current()
        let hooks = try Hooks(repository: repository)
        defer { hooks.cache.flush() }
        let guardMode = try hooks.mode(flag: mode)
        if guardMode == .off { return }
        let verdict = Guard.Verdict(mode: guardMode, checks: try checks(hooks))
        KeptUntilExit.keep(verdict)
        KeptUntilExit.keep(hooks)
        let report = GuardReport(verdict: verdict, bypass: bypass, verbose: verbose, colour: Terminal.colour)
        if json { Output.write(report.json) }
        Output.flush()
        let text = report.text
        if !text.isEmpty { Output.writeError(text) }
        if verdict.exitCode != 0 { throw ExitCode(verdict.exitCode) }
    }
}

enum StandardInput {
    static func lines() -> [String] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(0, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

enum Terminal {
    /// Colour only on a terminal, and never when NO_COLOR is set.
    static var colour: Bool { isatty(2) == 1 && getenv("NO_COLOR") == nil }
}

extension Hook {
    struct PreCommit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-commit",
            abstract: "HEAD (empty when unborn) against the index git is about to commit (GIT_INDEX_FILE).")
        @OptionGroup var options: HookOptions
        func run() throws {
            try options.run(bypass: "git commit --no-verify") { try $0.preCommit() }
        }
    }

    struct PrePush: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-push",
            abstract: "Every pushed ref (stdin lines from git, or PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF under the pre-commit framework).")
        @Argument(help: "The remote's name.") var remote: String?
        @Argument(help: "The remote's URL.") var url: String?
        @OptionGroup var options: HookOptions
        func run() throws {
            let env = ProcessEnvironment.all()
            let remoteName = env["PRE_COMMIT_REMOTE_NAME"] ?? remote ?? "origin"
            try options.run(bypass: "git push --no-verify") { hooks in
                if let to = env["PRE_COMMIT_TO_REF"], !to.isEmpty {
                    return try hooks.prePushFromFramework(remote: remoteName, from: env["PRE_COMMIT_FROM_REF"] ?? "", to: to)
                }
                return try hooks.prePush(remote: remoteName, lines: StandardInput.lines())
            }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update",
            abstract: "Server side, per ref: REF OLD NEW. Only refs/heads/* unless git config exo.refs says otherwise.")
        @Argument var ref: String
        @Argument var old: String
        @Argument var new: String
        @OptionGroup var options: HookOptions
        func run() throws {
            try options.run(bypass: nil) { try $0.update(ref: ref, old: old, new: new) }
        }
    }

    struct PreReceive: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pre-receive",
            abstract: "Server side, one verdict for the whole push (stdin lines: OLD NEW REF); reads the quarantine.")
        @OptionGroup var options: HookOptions
        func run() throws {
            try options.run(bypass: nil) { try $0.preReceive(lines: StandardInput.lines()) }
        }
    }
}
