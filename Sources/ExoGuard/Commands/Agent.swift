import ArgumentParser
import ExoCore
import ExoGraph
import ExoModel
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

extension Hook {
    struct Agent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "agent",
            abstract: "An agent harness's pre-tool hook (Claude Code PreToolUse, Cursor): one tool call on stdin.",
            discussion: """
                Denies git commit, merge or push with --no-verify (or commit -n), and a write or edit of a
                change document whose new text the pre-commit rules would block (with the report's next
                step as the reason); allows everything else without a word. Installed by
                `exo-guard install --agent claude|cursor`.
                """)

        func run() throws {
            let call = try AgentCall.read(StandardInput.bytes())
            var reason: String? = nil
            if let command = call.command {
                reason = HookBypass.reason(in: command)
            } else if let file = call.file, call.edit != nil, file.hasSuffix(".md") {
                if let cwd = call.cwd, !cwd.isEmpty { _ = chdir(cwd) }
                let absolute = file.hasPrefix("/") ? file : "/" + SnapPath.join(FileSystemSnapshot.currentDirectory(), file)
                let current = try? FileSystemSnapshot.read(absolute: absolute)
                if let text = call.newText(from: current.map { String(decoding: $0, as: UTF8.self) }) {
                    do {
                        let session = try Session(repository: .optional, writesCache: true)
                        defer { session.finish() }
                        reason = try session.blockedEdit(file: absolute, text: text)
                    } catch {
                        // What cannot be judged here is judged again at commit by the git hooks.
                        Output.writeError("exo-guard: hook agent: \(error.description) (the commit hooks still judge it)\n")
                    }
                }
            }
            Output.write(call.answer(deny: reason))
        }
    }
}
