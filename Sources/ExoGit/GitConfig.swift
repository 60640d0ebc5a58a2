import CGit2
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// The git configuration a hook runs under, read as git reads it: system
/// (`GIT_CONFIG_SYSTEM`, `GIT_CONFIG_NOSYSTEM`), global (`GIT_CONFIG_GLOBAL`, else XDG and
/// `~/.gitconfig`), the repository's own, and its worktree config.
public final class GitConfig {
    private let handle: Owner

    init(repository: Repository) throws(ExoError) {
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
            try LibGit2.check(
                git.config_add_file_ondisk(handle.pointer, path, level, repository.pointer, 0), "\(path): cannot read git config")
        }
    }

    /// The last value of a key, nil when unset.
    public func string(_ key: String) -> String? {
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
        return box.values
    }
}

extension Repository {
    /// The repository's git config (local, global, system, as git reads it).
    public func config() throws(ExoError) -> GitConfig { try GitConfig(repository: self) }
}
