import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

/// `exo-guard hook agent`: one tool call as an agent harness hands it to a pre-tool hook,
/// judged before it runs (GUARD.md, "In CI, on hosted forges, and in agent harnesses").
///
/// Claude Code's PreToolUse hook gets `{hook_event_name, tool_name, tool_input, cwd, ...}`
/// on stdin and denies with `{"hookSpecificOutput": {"hookEventName": "PreToolUse",
/// "permissionDecision": "deny", "permissionDecisionReason": ...}}` on stdout, exit 0; no
/// output allows (https://docs.claude.com/en/docs/claude-code/hooks#pretooluse-input,
/// #pretooluse-decision-control). Tools: Bash `{command}`, Write `{file_path, content}`,
/// Edit `{file_path, old_string, new_string, replace_all}`, MultiEdit `{file_path, edits}`.
///
/// Cursor's hooks get `{hook_event_name, conversation_id, generation_id, workspace_roots,
/// ...}`: `beforeShellExecution` with `{command, cwd}`, `preToolUse` with `{tool_name,
/// tool_input}`; they deny with `{"permission": "deny", "user_message": ...,
/// "agent_message": ...}` (https://cursor.com/docs/agent/hooks).
public struct AgentCall: Sendable {
    /// Which harness sent it, by the fields it holds.
    public enum Harness: Sendable { case claude, cursor }

    /// The harness that sent it.
    public let harness: Harness
    /// The shell command, for a shell tool.
    public let command: String?
    /// The file written or edited, for a write or edit tool (as given: absolute, or relative to `cwd`).
    public let file: String?
    /// What the write or edit does to the file's text.
    public let edit: Edit?
    /// The directory the agent works in.
    public let cwd: String?

    /// A write (the whole new text) or edits (each `old` replaced by `new`, once or everywhere).
    public enum Edit: Sendable {
        case write(String)
        case replace([(old: String, new: String, all: Bool)])
    }

    /// Reads one tool call; `.usage` when it is not JSON or not an object.
    public static func read(_ bytes: [UInt8]) throws(ExoError) -> AgentCall {
        let json = try JSON.read(bytes, source: "hook agent: standard input")
        guard case .object = json else { throw .usage("hook agent: standard input holds no JSON object") }
        let event = json["hook_event_name"]?.string ?? ""
        let cursor =
            json["cursor_version"] != nil || json["conversation_id"] != nil || json["workspace_roots"] != nil
            || event == "beforeShellExecution" || event == "preToolUse"
        let input = json["tool_input"] ?? .object([])
        let tool = json["tool_name"]?.string ?? (event == "beforeShellExecution" ? "Shell" : "")
        let cwd = json["cwd"]?.string ?? json["workspace_roots"]?.items?.first?.string
        var command: String? = nil
        var file: String? = nil
        var edit: Edit? = nil
        switch tool {
        case "Bash", "Shell", "run_terminal_cmd", "shell":
            command = input["command"]?.string ?? json["command"]?.string
        default:
            file = input["file_path"]?.string ?? input["path"]?.string ?? input["target_file"]?.string
            if let content = input["content"]?.string ?? input["contents"]?.string {
                edit = .write(content)
            } else if let old = input["old_string"]?.string, let new = input["new_string"]?.string {
                edit = .replace([(old, new, input["replace_all"]?.bool ?? false)])
            } else if let edits = input["edits"]?.items {
                edit = .replace(
                    edits.compactMap { e in
                        guard let old = e["old_string"]?.string, let new = e["new_string"]?.string else { return nil }
                        return (old, new, e["replace_all"]?.bool ?? false)
                    })
            }
        }
        return AgentCall(harness: cursor ? .cursor : .claude, command: command, file: file, edit: edit, cwd: cwd)
    }

    /// The answer on stdout: nothing to allow; a deny in the harness's own format.
    public func answer(deny reason: String?) -> String {
        guard let reason else { return "" }
        switch harness {
        case .claude:
            return JSON.object([
                (
                    "hookSpecificOutput",
                    .object([
                        ("hookEventName", .string("PreToolUse")), ("permissionDecision", .string("deny")),
                        ("permissionDecisionReason", .string(reason)),
                    ])
                )
            ]).compact + "\n"
        case .cursor:
            return JSON.object([
                ("permission", .string("deny")), ("user_message", .string(reason)), ("agent_message", .string(reason)),
            ]).compact + "\n"
        }
    }

    /// The text after applying the edit to `current` (nil: the file does not exist); nil
    /// when the edit cannot apply (the tool itself will fail).
    public func newText(from current: String?) -> String? {
        switch edit {
        case .write(let text)?: return text
        case .replace(let edits)?:
            guard var text = current else { return nil }
            for e in edits {
                guard !e.old.isEmpty, text.contains(e.old) else { return nil }
                if e.all {
                    text = text.replacing(e.old, with: e.new)
                } else if let r = text.firstRange(of: e.old) {
                    text.replaceSubrange(r, with: e.new)
                }
            }
            return text
        case nil: return nil
        }
    }
}

/// The shell commands that skip the guard's git hooks.
public enum HookBypass {
    /// Why `command` skips the guard, when it does: a `git commit`, `git merge` or `git
    /// push` with `--no-verify` (or `commit -n`), with hooks pointed elsewhere
    /// (`-c core.hooksPath=...`), or with the guard turned off (`EXO_GUARD_MODE=off|warn`).
    public static func reason(in command: String) -> String? {
        for words in simpleCommands(command) {
            var i = 0
            var turnedOff = false
            while i < words.count, let eq = words[i].firstIndex(of: "="), !words[i].hasPrefix("-") {
                let name = words[i][..<eq]
                let value = words[i][words[i].index(after: eq)...]
                if name == "EXO_GUARD_MODE" && (value == "off" || value == "warn") { turnedOff = true }
                i += 1
            }
            if i < words.count, words[i] == "env" { i += 1 }
            guard i < words.count, words[i] == "git" || words[i].hasSuffix("/git") else { continue }
            i += 1
            var hooksElsewhere = false
            // git's own options before the subcommand
            while i < words.count, words[i].hasPrefix("-") {
                let w = words[i]
                if w == "-c" || w == "-C" || w == "--git-dir" || w == "--work-tree" || w == "--namespace" {
                    if w == "-c", i + 1 < words.count, words[i + 1].lowercased().hasPrefix("core.hookspath=") {
                        hooksElsewhere = true
                    }
                    i += 2
                } else {
                    i += 1
                }
            }
            guard i < words.count, ["commit", "merge", "push"].contains(words[i]) else { continue }
            let sub = words[i]
            // The options, less the values of those that take one (a message may say anything).
            var rest: [String] = []
            var j = i + 1
            while j < words.count {
                let w = words[j]
                rest.append(w)
                if ["-m", "-F", "-C", "-c", "-t", "--message", "--file", "--template", "--reuse-message"].contains(w) {
                    j += 2
                    continue
                }
                j += 1
            }
            var skips = rest.contains("--no-verify") || rest.contains("--no-verify=true")
            if sub == "commit" { skips = skips || rest.contains { Self.shortFlags($0, contain: "n") } }
            let what = "git \(sub)"
            if skips {
                return "\(what) --no-verify skips exo-guard's check: run it without --no-verify, and if the guard "
                    + "blocks, make the edit its report names as the next step"
            }
            if hooksElsewhere {
                return
                    "\(what) with core.hooksPath set on the command line skips exo-guard's check: run it without -c core.hooksPath"
            }
            if turnedOff {
                return "\(what) with EXO_GUARD_MODE=off or warn skips exo-guard's check: run it without that setting"
            }
        }
        return nil
    }

    /// Whether a word is a cluster of short options holding `flag` before any option that
    /// takes a value (`-an` holds n; `-mn` is the message "n").
    static func shortFlags(_ word: String, contain flag: Character) -> Bool {
        guard word.hasPrefix("-"), !word.hasPrefix("--"), word.count > 1,
            word.dropFirst().allSatisfy({ $0.isASCII && $0.isLetter })
        else { return false }
        for c in word.dropFirst() {
            if c == flag { return true }
            if "mFCctS".contains(c) { return false }
        }
        return false
    }

    /// The simple commands of a shell line, each as its words: split at `;`, `&`, `|`,
    /// newlines and parentheses outside quotes; quotes and backslashes removed as the shell would.
    static func simpleCommands(_ line: String) -> [[String]] {
        var out: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character? = nil
        var escaped = false
        func endWord() {
            if inWord { words.append(word) }
            word = ""
            inWord = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty { out.append(words) }
            words = []
        }
        for c in line {
            if escaped {
                word.append(c)
                inWord = true
                escaped = false
                continue
            }
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\" && q == "\"" {
                    escaped = true
                } else {
                    word.append(c)
                }
                continue
            }
            switch c {
            case "\\": escaped = true
            case "'", "\"":
                quote = c
                inWord = true
            case " ", "\t": endWord()
            case ";", "&", "|", "\n", "(", ")", "`": endCommand()
            default:
                word.append(c)
                inWord = true
            }
        }
        endCommand()
        return out
    }
}

extension Session {
    /// Why writing `text` to `file` (an absolute path) would make a commit the pre-commit
    /// rules block, in one line with the report's next step; nil when they would not: no
    /// new conflict with the document's own change, a mode that does not block, or no
    /// workspace around the file. Judged on the files on disk with the file's new text,
    /// against HEAD, with the watched refs.
    public func blockedEdit(file: String, text: String) throws(ExoError) -> String? {
        guard let repository, let top = repository.workTree else { return nil }
        let snapPath = String(file.dropFirst())
        guard file.hasPrefix("/"), let rel = SnapPath.relative(snapPath, to: String(top.dropFirst())) else { return nil }
        let check = try check(.worktree, root: nil, base: .head, watching: nil, overlay: [snapPath: Array(text.utf8)])
        let verdict = Guard.Verdict(mode: try mode(flag: nil), checks: [check], strict: flag("exo.strict"))
        guard verdict.decision == .block else { return nil }
        let report = GuardReport(verdict: verdict, bypass: nil)
        let mine = report.findings.filter { $0.level == "error" && $0.path == rel }
        guard let first = mine.first else { return nil }
        let more = mine.count > 1 ? " (and \(mine.count - 1) more: exo-guard check lists them)" : ""
        return "exo-guard: this edit to \(rel) would be blocked at commit: \(first.message)\(more)"
    }
}
