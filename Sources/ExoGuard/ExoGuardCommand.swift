import ArgumentParser
import ExoCore
import ExoGit
import ExoGraph
import ExoModel
import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// `exo-guard`: exo's coordination commands, and a guard that runs inside git.
struct ExoGuardCommand: ParsableCommand {

    static let configuration = CommandConfiguration(
        commandName: "exo-guard",
        abstract:
            "Keep agents from colliding: exo's conflicts, board, roles and claim, and a git guard that blocks commits and pushes that activate colliding changes.",
        discussion: """
            Exit codes: 0 pass (warnings included), 1 blocked, 2 usage, configuration or repository error.
            conflicts, board and roles exit 0 whatever they find, like exo.
            """,
        version: "exo-guard \(BuildInfo.version)",
        subcommands: [
            Conflicts.self, Board.self, Roles.self, Claim.self, Check.self, CI.self, Hook.self, Install.self, Uninstall.self,
        ],
        defaultSubcommand: Conflicts.self
    )

    /// Runs `entry` on a thread whose stack holds a path `SnapPath.maxDepth` folders deep in
    /// any build: the walks recurse once per folder, and the main thread's 8 MiB does not
    /// hold that many frames in a debug build. Only the pages a run touches are mapped.
    static func runOnDeepStack() {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 256 << 20)
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, { _ in ExoGuardCommand.entry() }, nil) == 0 else {
            entry()  // no thread to be had: here, as before
        }
        pthread_join(thread, nil)
    }

    /// Runs the command line; every error is one line on stderr and exit 2. A run receipt
    /// (`--receipt PATH`, `VIVARY_RECEIPT_LOG`) is written as the run ends.
    static func entry() -> Never {
        Probe.counting(in: probes) { () -> Never in commandLine() }
    }

    /// Every probe the run hits (`EXO_GUARD_STATS=1` prints them as it ends): the sessions
    /// its commands make count in them.
    static let probes = Probes()

    private static func commandLine() -> Never {
        let environment = ProcessEnvironment.all()
        let (receipt, arguments) = Receipt.requested(by: Array(CommandLine.arguments.dropFirst()), environment: environment)
        // EXO_GUARD_STATS=1: which fast and plain paths the run took (tests read it).
        let stats = environment["EXO_GUARD_STATS"] == "1"
        func finish(_ code: Int32) -> Never {
            Output.flush()
            if stats { Output.writeError(probes.line + "\n") }
            var code = code
            if let receipt, let failure = receipt.write(exitCode: code) {
                Output.writeError(failure + "\n")
                if code == 0 { code = 1 }
            }
            Glibc.exit(code)
        }
        // --version names the build and the libgit2 it loads; the parser's own would not
        // load libgit2, and loading it there would cost every other command its start-up.
        if arguments == ["--version"] {
            Output.write(BuildInfo.description)
            finish(0)
        }
        do {
            // `hook agent` runs on every tool call an agent makes: straight to it, without
            // building the whole command tree to parse two words (about 2 ms; BENCHMARKS.md).
            if arguments == ["hook", "agent"] {
                try Hook.Agent().run()
                finish(0)
            }
            // The hooks git runs, called as git calls them (no option, only the arguments
            // git passes): parsed as the one command they are, not through the whole tree
            // (the root's parse cost a warm pre-commit an eighth of its instructions).
            if try Self.gitHook(arguments) { finish(0) }
            var command = try parseAsRoot(GlobalOptions.reordered(arguments))
            try command.run()
            finish(0)
        } catch let error as ExoError {
            Output.flush()
            Output.error(error.description)
            finish(2)
        } catch let code as ExitCode {
            finish(code.rawValue)
        } catch {
            Output.flush()
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                Output.write(message + "\n")
                finish(0)
            }
            Output.writeError(message + "\n")
            finish(2)
        }
    }
}

extension ExoGuardCommand {
    /// Runs `hook NAME ARGS...` as git runs it, with no option and the arguments git gives
    /// it, straight to the hook with every choice its default (`GitHookOutput`), no parser:
    /// the argument parser's own start cost a warm pre-commit a tenth of its instructions.
    /// False, having run nothing, for anything else (parsed from the root).
    static func gitHook(_ arguments: [String]) throws -> Bool {
        guard arguments.first == "hook", !arguments.contains(where: { $0.hasPrefix("-") }) else { return false }
        let rest = Array(arguments.dropFirst(2))
        let hook: (() throws -> Void)?
        switch (arguments.count > 1 ? arguments[1] : "", rest.count) {
        case ("pre-commit", 0): hook = { try Hook.PreCommit.run(GitHookOutput()) }
        case ("pre-merge-commit", 0): hook = { try Hook.PreMergeCommit.run(GitHookOutput()) }
        case ("pre-receive", 0): hook = { try Hook.PreReceive.run(GitHookOutput()) }
        case ("update", 3): hook = { try Hook.Update.run(GitHookOutput(), ref: rest[0], old: rest[1], new: rest[2]) }
        default: hook = nil
        }
        guard let hook else { return false }
        Probe.unparsedHook.hit()
        if arguments[1] == "pre-commit" || arguments[1] == "pre-merge-commit" {
            // Read while libgit2 loads (IndexFile+Prefetch.swift).
            IndexFile.prefetch(environment: ProcessEnvironment.all(), directory: FileSystemPath.currentDirectory())
        }
        try hook()
        return true
    }
}

/// What a command built and is done with, kept until the process exits: freeing a
/// graph of many thousand documents one object at a time costs more than exiting.
enum KeptUntilExit {
    nonisolated(unsafe) private static var values: [Any] = []
    static func keep(_ value: Any) { values.append(value) }
}

/// Standard output, buffered and written at the end; errors are written at once.
enum Output {
    nonisolated(unsafe) private static var buffer: [UInt8] = []

    static func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 16 { flush() }
    }

    static func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count > 1 << 16 { flush() }
    }

    static func flush() {
        writeAll(1, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    static func writeError(_ text: String) { writeAll(2, Array(text.utf8)) }

    /// An error, one line, with what came from the repository (a file name) escaped.
    static func error(_ message: String) { writeError("exo-guard: \(ControlCharacters.escaped(message))\n") }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) { _ = FileWrite.all(fd, bytes) }
}
