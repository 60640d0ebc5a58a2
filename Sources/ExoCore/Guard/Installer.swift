import ExoGit
import ExoGraph
import ExoModel
import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// `install` and `uninstall`: our hook scripts in the folder git really uses.
public struct Installer {
    /// The line that marks a hook script as ours (only those are replaced or removed).
    public static let marker = "# exo-guard-managed-hook"
    /// What `install` writes when no hook is named.
    public static let defaultHooks = ["pre-commit", "pre-merge-commit", "pre-push"]
    /// Every hook exo-guard can run as.
    public static let known = ["pre-commit", "pre-merge-commit", "pre-push", "update", "pre-receive", "reference-transaction"]
    /// Hooks that read ref lines on standard input.
    static let readsStdin: Set<String> = ["pre-push", "pre-receive", "reference-transaction"]
    /// Hooks that run where people commit; the others run on a server.
    static let local: Set<String> = ["pre-commit", "pre-merge-commit", "pre-push", "reference-transaction"]

    /// The hooks folder git uses (`core.hooksPath` or the common git dir's `hooks`).
    public let directory: String
    /// A relative `core.hooksPath` that git resolves in each worktree (so linked worktrees
    /// look in their own folder, which holds no hooks unless it is committed); nil otherwise.
    public let relativeHooksPath: String?

    /// `core.hooksPath` when set (relative to the work tree, or to the git dir in a bare
    /// repository), else the common git dir's `hooks/`, shared by linked worktrees.
    public init(repository: Repository) throws(ExoError) {
        let config = try repository.config()
        relativeHooksPath = config.string("core.hooksPath").flatMap { p in
            p.isEmpty || p.hasPrefix("/") || p.hasPrefix("~/") || repository.workTree == nil ? nil : p
        }
        if let path = config.string("core.hooksPath"), !path.isEmpty {
            let expanded = path.hasPrefix("~/") ? (repository.environment["HOME"] ?? "") + path.dropFirst(1) : path
            directory = FileSystemPath.trimmingSlash(
                expanded.hasPrefix("/") ? expanded : (repository.workTree ?? repository.gitDir) + "/" + expanded)
        } else {
            directory = repository.commonDir + "/hooks"
        }
    }

    /// The script for one hook. `binary` is the absolute path of the installing exo-guard
    /// (empty: look it up on PATH only, as the shipped `hooks/` files do).
    public static func script(for hook: String, binary: String) -> String {
        let stdin = readsStdin.contains(hook)
        // What the script says when neither binary is there: the path it was installed
        // with, when it has one, and PATH.
        let looked =
            "looked for ${exo_guard_installed:+$exo_guard_installed and }exo-guard on PATH"
        let missing =
            local.contains(hook)
            ? "  echo \"exo-guard: not found (\(looked)); \(hook) not checked\" >&2\n  exit 0"
            : "  echo \"exo-guard: not found (\(looked)); rejecting until it is installed\" >&2\n  exit 1"
        var s = """
            #!/bin/sh
            \(marker)
            # The exo-guard \(hook) hook: blocks (or warns about) a change of the tropo graph that
            # activates a change colliding with another active one. `exo-guard uninstall` removes
            # it; a hook that was here before is kept as \(hook).legacy and runs first.
            hook=\(hook)
            here=$(dirname "$0")
            exo_guard_installed='\(binary.replacing("'", with: "'\\''"))'
            exo_guard=${EXO_GUARD_BIN:-$exo_guard_installed}
            if [ -z "$exo_guard" ] || [ ! -x "$exo_guard" ]; then
              exo_guard=$(command -v exo-guard 2>/dev/null || true)
            fi

            """
        if stdin {
            s += """
                input=$(cat)
                feed() { if [ -n "$input" ]; then printf '%s\\n' "$input"; fi; }
                if [ -x "$here/$hook.legacy" ]; then
                  feed | "$here/$hook.legacy" "$@" || exit $?
                fi
                \(hook == "reference-transaction" ? "[ \"$1\" = prepared ] || exit 0  # only a transaction about to happen is judged\n" : "")\
                if [ -z "$exo_guard" ]; then
                \(missing)
                fi
                feed | "$exo_guard" hook "$hook" "$@"

                """
        } else {
            s += """
                if [ -x "$here/$hook.legacy" ]; then
                  "$here/$hook.legacy" "$@" || exit $?
                fi
                if [ -z "$exo_guard" ]; then
                \(missing)
                fi
                exec "$exo_guard" hook "$hook" "$@"

                """
        }
        return s
    }

    /// Writes the hooks; a foreign hook is kept as `NAME.legacy`. Idempotent. Returns what was done.
    public func install(_ hooks: [String], binary: String, force: Bool) throws(ExoError) -> [String] {
        try makeDirectory(directory)
        var done: [String] = []
        for hook in hooks {
            let path = directory + "/" + hook
            let legacy = path + ".legacy"
            let script = Self.script(for: hook, binary: binary)
            if let existing = read(path) {
                if existing == script {
                    done.append("\(hook): already installed")
                    continue
                }
                if !existing.contains(Self.marker) {
                    if read(legacy) != nil && !force {
                        throw .refused(
                            file: path,
                            cause: "a foreign hook is here and \(hook).legacy exists already; move one away or use --force")
                    }
                    guard rename(path, legacy) == 0 else {
                        throw .io(file: path, action: "cannot keep it as \(hook).legacy", cause: String(cString: strerror(errno)))
                    }
                    done.append("\(hook): kept the existing hook as \(hook).legacy (it runs first)")
                }
            }
            try write(path, script)
            done.append("\(hook): installed in \(directory)")
        }
        return done
    }

    /// Removes our hooks (only ours) and puts `NAME.legacy` back.
    public func uninstall(_ hooks: [String]) throws(ExoError) -> [String] {
        var done: [String] = []
        for hook in hooks {
            let path = directory + "/" + hook
            guard let existing = read(path), existing.contains(Self.marker) else { continue }
            unlink(path)
            if read(path + ".legacy") != nil {
                rename(path + ".legacy", path)
                done.append("\(hook): removed; restored the previous hook")
            } else {
                done.append("\(hook): removed")
            }
        }
        return done
    }

    private func read(_ path: String) -> String? {
        guard let bytes = try? FileSystemSnapshot().read(String(path.dropFirst())) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func write(_ path: String, _ text: String) throws(ExoError) {
        try FileWrite.replace(
            path, with: Array(text.utf8), mode: 0o755, failure: { ExoError.io(file: path, action: $0.action, cause: $0.cause) })
    }

    private func makeDirectory(_ path: String) throws(ExoError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .io(file: current, action: "cannot create the hooks folder", cause: String(cString: strerror(errno)))
            }
        }
    }
}
