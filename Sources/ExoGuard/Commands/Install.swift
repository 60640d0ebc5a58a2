import ArgumentParser
import ExoCore

#if canImport(Glibc)
    import Glibc
#endif

struct Install: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the hooks into the folder git uses (core.hooksPath, else the common git dir's hooks/).",
        discussion:
            "Writes pre-commit, pre-merge-commit and pre-push unless --hook names others. A hook already there is kept as NAME.legacy and run first. Running it twice changes nothing."
    )
    @Option(
        name: .customLong("hook"),
        help:
            "A hook to install: pre-commit, pre-merge-commit, pre-push, update, pre-receive, or reference-transaction (never by default) (repeatable).",
        completion: .list(Installer.known)
    ) var hooks: [String] = []
    @Flag(help: "Replace an existing NAME.legacy.") var force = false
    @Option(
        name: .customLong("print"),
        help: "Print the script for one hook, with no binary path (as shipped in hooks/), and install nothing.",
        completion: .list(Installer.known)) var printHook: String?

    @Option(
        help: ArgumentHelp(
            "Install the agent harness's pre-tool hook: claude (.claude/settings.json) or cursor (.cursor/hooks.json) (repeatable).",
            discussion: "With --agent and no --hook, only the harness's hook is installed."),
        completion: .list(AgentInstaller.harnesses)) var agent: [String] = []

    func run() throws {
        for name in agent where !AgentInstaller.harnesses.contains(name) {
            throw ValidationError("--agent takes claude or cursor, not '\(name)'")
        }
        for name in agent {
            Output.write("exo-guard: \(try AgentInstaller.install(name, top: Install.top(), binary: Executable.path))\n")
        }
        if !agent.isEmpty && hooks.isEmpty { return }
        if let printHook {
            guard Installer.known.contains(printHook) else { throw ValidationError("unknown hook '\(printHook)'") }
            Output.write(Installer.script(for: printHook, binary: ""))
            return
        }
        let names = hooks.isEmpty ? Installer.defaultHooks : hooks
        for name in names where !Installer.known.contains(name) {
            throw ValidationError("unknown hook '\(name)' (expected one of: \(Installer.known.joined(separator: ", ")))")
        }
        let installer = try Session.installer()
        for line in try installer.install(names, binary: Executable.path, force: force) { Output.write("exo-guard: \(line)\n") }
        if let relative = installer.relativeHooksPath {
            Output.writeError(
                "exo-guard: warning \u{2014} core.hooksPath is relative (\(relative)): git looks for it in each worktree, so a "
                    + "linked worktree (git worktree add) runs these hooks only if \(relative)/ is committed; commit the folder, "
                    + "or make the path absolute: git config core.hooksPath \(installer.directory)\n")
        }
    }
}

struct Uninstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uninstall",
        abstract: "Remove exo-guard's hooks and put back the ones they replaced."
    )
    @Option(
        name: .customLong("hook"), help: "A hook to remove (default: every one exo-guard installs).",
        completion: .list(Installer.known)) var hooks: [String] = []

    @Option(
        help: "Remove only the agent harness's hook: claude or cursor (repeatable).",
        completion: .list(AgentInstaller.harnesses))
    var agent: [String] = []

    func run() throws {
        for name in agent where !AgentInstaller.harnesses.contains(name) {
            throw ValidationError("--agent takes claude or cursor, not '\(name)'")
        }
        if !agent.isEmpty {
            for name in agent { Output.write("exo-guard: \(try AgentInstaller.uninstall(name, top: Install.top()))\n") }
            return
        }
        let installer = try Session.installer()
        let lines = try installer.uninstall(hooks.isEmpty ? Installer.known : hooks)
        if lines.isEmpty { Output.write("exo-guard: no exo-guard hooks in \(installer.directory)\n") }
        for line in lines { Output.write("exo-guard: \(line)\n") }
        // With no --hook: the agent harnesses' entries too, where there are any (only exo-guard's).
        if hooks.isEmpty {
            for name in AgentInstaller.harnesses where AgentInstaller.holdsOurs(name, top: try Install.top()) {
                Output.write("exo-guard: \(try AgentInstaller.uninstall(name, top: Install.top()))\n")
            }
        }
    }
}

extension Install {
    /// The project's top: the repository's work tree, else the current directory.
    static func top() throws -> String { Session.top() }
}

enum Executable {
    /// The absolute path of this binary.
    static var path: String {
        guard let p = realpath("/proc/self/exe", nil) else { return "" }
        defer { free(p) }
        return String(cString: p)
    }
}
