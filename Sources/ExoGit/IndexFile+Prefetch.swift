import Dispatch
import ExoModel
import ExoSnapshot
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A commit's hook reads git's index (a megabyte at 12,000 entries) right after loading
/// libgit2 and its eighteen libraries, and neither needs the other: the hook starts reading
/// and parsing the index on another thread (`prefetch`) before it loads libgit2, so the two
/// overlap on a second core. What the hook then reads is the prefetched index only when it
/// is the same file: the path it opens names the inode, of the size and modification time,
/// that the prefetch read (git replaces an index by renaming a new file over it, so a file
/// changed since is another inode). Otherwise, or for a split index (whose shared index
/// lies in the repository's git dir, which the prefetch does not know), it reads it itself.
extension IndexFile {
    enum Prefetched {
        struct Read: @unchecked Sendable {
            let identity: Identity
            let index: IndexFile
        }

        struct Identity: Equatable {
            let device: UInt, inode: UInt, size: Int, seconds: Int, nanoseconds: Int
            init(_ st: stat) {
                device = UInt(st.st_dev)
                inode = UInt(st.st_ino)
                size = Int(st.st_size)
                seconds = Int(st.st_mtim.tv_sec)
                nanoseconds = Int(st.st_mtim.tv_nsec)
            }
        }

        private static let state = Mutex<(done: DispatchGroup, read: Read?)?>(nil)

        /// Starts reading the index at `path` on another thread (in place of any earlier).
        static func start(_ path: String) {
            let done = DispatchGroup()
            done.enter()
            state.withLock { $0 = (done, nil) }
            DispatchQueue.global().async {
                var st = stat()
                let read = file(path, stat: &st).flatMap { main -> Read? in
                    guard main.link == nil, let index = assemble(main, gitDir: "") else { return nil }
                    return Read(identity: Identity(st), index: index)
                }
                state.withLock { state in if state?.done === done { state?.read = read } }
                done.leave()
            }
        }

        /// Waits for the read started last to finish.
        static func finished() { state.withLock { $0?.done }?.wait() }

        /// The prefetched index when `path` names the file it read (waiting for the read to
        /// finish); nil when there is none, or it is another file. Taken once.
        static func take(_ path: String) -> IndexFile? {
            guard let done = state.withLock({ $0?.done }) else { return nil }
            done.wait()
            let taken = state.withLock { state in
                defer { state?.read = nil }
                return state?.read
            }
            guard let read = taken else { return nil }
            var st = stat()
            guard stat(path, &st) == 0, Identity(st) == read.identity else { return nil }
            Probe.prefetchedIndex.hit()
            return read.index
        }
    }

    /// Starts reading the index a commit's hook will read, before libgit2 is loaded: the
    /// file `GIT_INDEX_FILE` names (as git runs the hook), else `GIT_DIR`'s, else that of
    /// the repository at the current directory (`.git`, a folder or a worktree's file).
    /// Nothing is started when none of these is found.
    public static func prefetch(environment: [String: String], directory: String) {
        if let file = environment["GIT_INDEX_FILE"], !file.isEmpty {
            return Prefetched.start(Repository.absolute(file, in: directory))
        }
        if let dir = environment["GIT_DIR"], !dir.isEmpty {
            return Prefetched.start(Repository.absolute(dir, in: directory) + "/index")
        }
        let dotGit = Repository.absolute(".git", in: directory)
        var st = stat()
        guard stat(dotGit, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR { return Prefetched.start(dotGit + "/index") }
        // A worktree's `.git` file: `gitdir: <path>`.
        guard st.st_mode & S_IFMT == S_IFREG, st.st_size < 4096, let bytes = try? FileSystemSnapshot.read(absolute: dotGit)
        else { return }
        var line = Substring(String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
        if line.hasSuffix("\r") { line = line.dropLast() }
        guard line.hasPrefix("gitdir: ") else { return }
        Prefetched.start(Repository.absolute(String(line.dropFirst(8)), in: directory) + "/index")
    }
}
