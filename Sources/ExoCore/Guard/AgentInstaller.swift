import ExoGraph
import ExoModel
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

/// `install --agent claude|cursor` and `uninstall --agent ...`: `exo-guard hook agent` as
/// the harness's own pre-tool hook, merged into the project's settings file with what is
/// there kept as it was (other hooks, other keys, their order); `uninstall` removes only
/// entries that run exo-guard's agent hook.
///
/// Claude Code: `.claude/settings.json`, `hooks.PreToolUse[]` of `{matcher, hooks:
/// [{type: "command", command}]}` (https://docs.claude.com/en/docs/claude-code/hooks#configuration).
/// Cursor: `.cursor/hooks.json`, `{version: 1, hooks: {beforeShellExecution: [{command}],
/// preToolUse: [{command}]}}` (https://cursor.com/docs/agent/hooks).
public enum AgentInstaller {
    /// The harnesses known.
    public static let harnesses = ["claude", "cursor"]

    /// The settings file of `harness` below `top`.
    public static func file(_ harness: String, top: String) -> String {
        harness == "claude" ? top + "/.claude/settings.json" : top + "/.cursor/hooks.json"
    }

    /// Adds (or refreshes) the hook; returns what was done, in one line.
    public static func install(_ harness: String, top: String, binary: String) throws(ExoError) -> String {
        let path = file(harness, top: top)
        var root = try read(path)
        let command = shellQuoted(binary) + " hook agent"
        var hooks = root["hooks"] ?? .object([])
        if harness == "claude" {
            let entry: JSON = .object([
                ("matcher", .string("Bash|Write|Edit|MultiEdit")),
                ("hooks", .array([.object([("type", .string("command")), ("command", .string(command))])])),
            ])
            let kept = (hooks["PreToolUse"]?.items ?? []).filter { !isOurs($0) }
            hooks = hooks.setting("PreToolUse", .array(kept + [entry]))
        } else {
            if root["version"] == nil { root = root.setting("version", .number("1")) }
            for event in ["beforeShellExecution", "preToolUse"] {
                let kept = (hooks[event]?.items ?? []).filter { !isOurs($0) }
                hooks = hooks.setting(event, .array(kept + [.object([("command", .string(command))])]))
            }
        }
        root = root.setting("hooks", hooks)
        try write(root, to: path)
        return "installed the agent hook in \(path) (\(command))"
    }

    /// Removes exo-guard's entries only; returns what was done, in one line.
    public static func uninstall(_ harness: String, top: String) throws(ExoError) -> String {
        let path = file(harness, top: top)
        guard access(path, F_OK) == 0 else { return "no \(path): nothing to remove" }
        var root = try read(path)
        guard case .object(let members)? = root["hooks"] else { return "no exo-guard hook in \(path)" }
        var hooks: [(String, JSON)] = []
        var removed = 0
        for (event, value) in members {
            guard let items = value.items else {
                hooks.append((event, value))
                continue
            }
            let kept = items.filter { !isOurs($0) }
            removed += items.count - kept.count
            if !kept.isEmpty || items.isEmpty { hooks.append((event, .array(kept))) }
        }
        guard removed > 0 else { return "no exo-guard hook in \(path)" }
        root = hooks.isEmpty ? root.removing("hooks") : root.setting("hooks", .object(hooks))
        try write(root, to: path)
        return "removed the agent hook from \(path)"
    }

    /// Whether the harness's settings file below `top` holds an entry of exo-guard's.
    public static func holdsOurs(_ harness: String, top: String) -> Bool {
        guard let root = try? read(file(harness, top: top)), case .object(let members)? = root["hooks"] else { return false }
        return members.contains { $0.1.items?.contains(where: isOurs) ?? false }
    }

    /// Whether a hooks entry runs exo-guard's agent hook (directly, or in a matcher group).
    static func isOurs(_ entry: JSON) -> Bool {
        if let command = entry["command"]?.string, command.hasSuffix(" hook agent"), command.contains("exo-guard") {
            return true
        }
        guard let inner = entry["hooks"]?.items, !inner.isEmpty else { return false }
        return inner.allSatisfy(isOurs)
    }

    private static func read(_ path: String) throws(ExoError) -> JSON {
        guard access(path, F_OK) == 0 else { return .object([]) }
        let value = try JSON.read(try FileSystemSnapshot.read(absolute: path), source: path)
        guard case .object = value else { throw .refused(file: path, cause: "not a JSON object; left as it is") }
        return value
    }

    /// Written whole to a temporary file beside it, then renamed over it.
    private static func write(_ value: JSON, to path: String) throws(ExoError) {
        let dir = SnapPath.parent(String(path.dropFirst()))
        if mkdir("/" + dir, 0o755) != 0 && errno != EEXIST {
            throw .io(file: "/" + dir, action: "cannot create", cause: String(cString: strerror(errno)))
        }
        let temporary = path + ".exo-guard-\(getpid())"
        try ReportFile.write(value.rendered() + "\n", to: temporary)
        guard rename(temporary, path) == 0 else {
            let cause = String(cString: strerror(errno))
            unlink(temporary)
            throw .io(file: path, action: "cannot write", cause: cause)
        }
    }

    /// `word` as one shell word.
    static func shellQuoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacing("'", with: "'\\''") + "'"
    }
}
