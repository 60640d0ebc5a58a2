import CGit2
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// The git configuration a hook runs under, read as git reads it: system
/// (`GIT_CONFIG_SYSTEM`, `GIT_CONFIG_NOSYSTEM`), global (`GIT_CONFIG_GLOBAL`, else XDG and
/// `~/.gitconfig`), the repository's own, its worktree config, and above them all what
/// `git -c` passes down (`GIT_CONFIG_PARAMETERS`, `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/
/// `GIT_CONFIG_VALUE_n`), so `git -c exo.mode=warn commit` runs the hook in warn mode.
public final class GitConfig {
    private let handle: Owner
    /// `git -c` settings, in order (a later one wins): normalized key, value.
    private let commandLine: [(key: String, value: String)]
    /// The files read, each with its level (to say where a value comes from).
    private var files: [(path: String, level: git_config_level_t)] = []

    init(repository: Repository) throws(ExoError) {
        commandLine = Self.commandLine(repository.environment)
        handle = try Owner("cannot create config", create: { git.config_new(&$0) }, free: { git.config_free($0) })
        let env = repository.environment
        var files: [(String, git_config_level_t)] = []
        let noSystem = ["1", "true", "yes", "on"].contains(env["GIT_CONFIG_NOSYSTEM"]?.lowercased() ?? "")
        if !noSystem { files.append((env["GIT_CONFIG_SYSTEM"] ?? "/etc/gitconfig", GIT_CONFIG_LEVEL_SYSTEM)) }
        if let global = env["GIT_CONFIG_GLOBAL"] {
            files.append((global, GIT_CONFIG_LEVEL_GLOBAL))
        } else if let home = env["HOME"] {
            let xdg = env["XDG_CONFIG_HOME"].map { $0 + "/git/config" } ?? home + "/.config/git/config"
            files.append((xdg, GIT_CONFIG_LEVEL_XDG))
            files.append((home + "/.gitconfig", GIT_CONFIG_LEVEL_GLOBAL))
        }
        files.append((repository.commonDir + "/config", GIT_CONFIG_LEVEL_LOCAL))
        files.append((repository.gitDir + "/config.worktree", GIT_CONFIG_LEVEL_APP))
        for (path, level) in files where path != "/dev/null" && access(path, R_OK) == 0 {
            self.files.append((path, level))
            try LibGit2.check(
                git.config_add_file_ondisk(handle.pointer, path, level, repository.pointer, 0), "\(path): cannot read git config")
        }
    }

    /// The last value of a key, nil when unset.
    public func string(_ key: String) -> String? {
        let normalized = Self.normalize(key)
        if let given = commandLine.last(where: { $0.key == normalized }) { return given.value }
        var buf = git_buf()
        defer { git.buf_dispose(&buf) }
        guard git.config_get_string_buf(&buf, handle.pointer, key) >= 0, let p = buf.ptr else { return nil }
        return String(cString: p)
    }

    /// Every value of a multi-valued key, in order.
    public func strings(_ key: String) -> [String] {
        final class Box { var values: [String] = [] }
        let box = Box()
        _ = git.config_get_multivar_foreach(
            handle.pointer, key, nil,
            { entry, payload in
                guard let entry, let payload, let value = entry.pointee.value else { return 0 }
                Unmanaged<Box>.fromOpaque(payload).takeUnretainedValue().values.append(String(cString: value))
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        let normalized = Self.normalize(key)
        return box.values + commandLine.filter { $0.key == normalized }.map(\.value)
    }

    /// Where the value of a key in force comes from, for error messages: `git -c`, or the
    /// file that set it last (a file that includes another is named for what it includes).
    public func origin(_ key: String) -> String? {
        let normalized = Self.normalize(key)
        if commandLine.contains(where: { $0.key == normalized }) { return "git -c" }
        final class Box { var level: git_config_level_t? }
        let box = Box()
        _ = git.config_get_multivar_foreach(
            handle.pointer, key, nil,
            { entry, payload in
                guard let entry, let payload else { return 0 }
                Unmanaged<Box>.fromOpaque(payload).takeUnretainedValue().level = entry.pointee.level
                return 0
            }, Unmanaged.passUnretained(box).toOpaque())
        guard let level = box.level else { return nil }
        return files.last(where: { $0.level == level }).map(\.path) ?? "git config"
    }

    /// A key as git compares keys: section and variable name case-insensitive, a
    /// subsection (between them) as written.
    static func normalize(_ key: String) -> String {
        guard let first = key.firstIndex(of: "."), let last = key.lastIndex(of: ".") else { return key.lowercased() }
        return key[..<first].lowercased() + key[first..<last] + key[last...].lowercased()
    }

    /// `GIT_CONFIG_PARAMETERS` (`'key=value'` or `'key'='value'`, shell-quoted, space
    /// separated) then `GIT_CONFIG_COUNT` pairs, as git applies them. A key without a value
    /// is a boolean true.
    static func commandLine(_ env: [String: String]) -> [(key: String, value: String)] {
        var out: [(key: String, value: String)] = []
        if let text = env["GIT_CONFIG_PARAMETERS"] {
            var chars = Substring(text)
            /// One shell single-quoted word (`'\''` inside stands for a quote); nil when none.
            func word() -> String? {
                guard chars.first == "'" else { return nil }
                chars.removeFirst()
                var s = ""
                while let c = chars.first {
                    chars.removeFirst()
                    if c != "'" {
                        s.append(c)
                        continue
                    }
                    guard chars.hasPrefix("\\''") else { return s }
                    chars.removeFirst(3)
                    s.append("'")
                }
                return s
            }
            while true {
                while chars.first == " " { chars.removeFirst() }
                guard let first = word() else { break }
                if chars.first == "=" {
                    chars.removeFirst()
                    out.append((normalize(first), word() ?? ""))
                } else if let eq = first.firstIndex(of: "=") {
                    out.append((normalize(String(first[..<eq])), String(first[first.index(after: eq)...])))
                } else {
                    out.append((normalize(first), "true"))
                }
            }
        }
        if let count = env["GIT_CONFIG_COUNT"].flatMap({ Int($0) }), count > 0 {
            for i in 0..<min(count, 10_000) {
                guard let key = env["GIT_CONFIG_KEY_\(i)"] else { break }
                out.append((normalize(key), env["GIT_CONFIG_VALUE_\(i)"] ?? ""))
            }
        }
        return out
    }
}

extension Repository {
    /// The repository's git config (local, global, system, as git reads it).
    public func config() throws(ExoError) -> GitConfig { try GitConfig(repository: self) }
}
