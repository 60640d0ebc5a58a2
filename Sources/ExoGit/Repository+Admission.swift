import CGit2
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// What admitting a commit or push needs of git: a commit for the index about to be
/// committed (so that other checks can watch it like a branch), and the objects of
/// another push still in quarantine.
extension Repository {
    /// Adds an object folder to search (another push's quarantine, named by its admission).
    /// A folder that is gone adds nothing: the push was refused, or its objects moved into
    /// the repository, where they are found anyway.
    public func addObjectDirectory(_ path: String) {
        guard !addedObjectDirectories.contains(path) else { return }
        addedObjectDirectories.insert(path)
        _ = git.odb_add_disk_alternate(odb, path)
    }

    /// The tree git would commit from the index (`GIT_INDEX_FILE` when set): `git write-tree`,
    /// which knows every index format git writes (split, sparse) and writes the trees git
    /// commit is about to write anyway. nil when it fails.
    public func writeIndexTree() -> ObjectID? {
        guard let out = Self.run(["git", "write-tree"], environment: environment) else {
            return nil
        }
        return ObjectID(hex: String(decoding: out.prefix(while: { $0 != 10 }), as: UTF8.self))
    }

    /// Writes a tree object (its entries as git writes them); nil when it cannot.
    func writeTree(_ bytes: [UInt8]) -> ObjectID? {
        var bytes = bytes
        var oid = git_oid()
        guard git.odb_write(&oid, odb, &bytes, bytes.count, GIT_OBJECT_TREE) >= 0 else { return nil }
        return ObjectID(oid)
    }

    /// Writes a commit of `tree` on `parents`, dated now: what a pending commit looks like
    /// to other checks. The commit is never referenced; git's gc removes it in time.
    public func writePendingCommit(tree: ObjectID, parents: [ObjectID]) -> ObjectID? {
        let now = time(nil)
        var text = "tree \(tree)\n"
        for p in parents { text += "parent \(p)\n" }
        text += "author exo-guard <exo-guard@localhost> \(now) +0000\n"
        text += "committer exo-guard <exo-guard@localhost> \(now) +0000\n\n"
        text += "exo-guard: a commit admitted by pre-commit, not made yet\n"
        var bytes = Array(text.utf8)
        var oid = git_oid()
        guard git.odb_write(&oid, odb, &bytes, bytes.count, GIT_OBJECT_COMMIT) >= 0 else { return nil }
        return ObjectID(oid)
    }

    /// Runs a program (looked up on PATH) in this process's folder and environment (a hook
    /// runs where git started it, which is what relative `GIT_*` paths are relative to) and
    /// returns its standard output; nil when it cannot be started or exits other than 0. Its
    /// standard error is the hook's. (One short call on a rare path: posix_spawn here rather
    /// than swift-subprocess, whose API is async and whose build would cost every CI run.)
    static func run(_ argv: [String], environment: [String: String]) -> [UInt8]? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let args = argv.map { strdup($0) } + [nil]
        let env = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for a in args { free(a) }
            for e in env { free(e) }
        }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, argv[0], &actions, nil, args, env)
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { return nil }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status == 0 ? out : nil
    }
}
