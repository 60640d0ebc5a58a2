#if canImport(Glibc)
    import Glibc
#endif

/// The admissions of one repository that have not landed yet (GUARD.md, "Taking up work is
/// atomic"), kept beside the parse cache in `exo-guard/admissions/`, one file per hook run,
/// and the lock a check holds while it decides.
///
/// What makes it atomic: a hook takes the lock before it lists refs and admissions, and
/// keeps it until it has recorded what it admits; so of checks that race, each sees every
/// admission made before it took the lock. The lock is `flock(2)` on
/// `exo-guard/admission.lock`: the kernel lets go of it when the process ends however it
/// ends, so a killed guard leaves nothing that blocks. A record says which git process
/// asked (its pid and start time, so a reused pid is not taken for it) and which refs it
/// moves from which old value; it stops counting when that process has ended or the ref
/// has moved, and the next check that holds the lock removes it.
package struct Admissions {
    /// `<common dir>/exo-guard/admissions`.
    package let directory: String
    /// `<common dir>/exo-guard/admission.lock`.
    package let lockPath: String

    /// The ledger of the repository whose common git dir is `commonDir`.
    package init(commonDir: String) {
        directory = commonDir + "/exo-guard/admissions"
        lockPath = commonDir + "/exo-guard/admission.lock"
    }

    /// One hook run's admission: the git process that asked, where the pushed objects are
    /// while the push is in quarantine, and the refs it moves.
    package struct Record: Sendable {
        /// The git process that ran the hook.
        package var process: ProcessIdentity
        /// The quarantine object folder of a push (empty when the objects are in the repository).
        package var objects: String
        /// The refs admitted: full name, old value (empty when the ref did not exist), new value.
        package var refs: [(name: String, old: String, new: String)]
        /// The record's file name, once read or written.
        package var file = ""

        package init(process: ProcessIdentity, objects: String, refs: [(name: String, old: String, new: String)]) {
            self.process = process
            self.objects = objects
            self.refs = refs
        }

        /// `pid`, `start`, `objects` lines, then one `ref NAME OLD NEW` line per ref (the
        /// name last-but-two, so it may hold no space: git refuses spaces in ref names).
        var text: String {
            var lines = ["exo-guard admission 1", "pid \(process.pid)", "start \(process.start)", "objects \(objects)"]
            for r in refs { lines.append("ref \(r.name) \(r.old.isEmpty ? "-" : r.old) \(r.new)") }
            return lines.joined(separator: "\n") + "\n"
        }

        /// The record a file holds; nil when it is not one (a torn or foreign file).
        init?(text: String, file: String) {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.first == "exo-guard admission 1", lines.last == "" else { return nil }
            lines.removeFirst()
            lines.removeLast()
            var pid: Int32? = nil
            var start: UInt64? = nil
            var objects: String? = nil
            var refs: [(name: String, old: String, new: String)] = []
            for line in lines {
                guard let space = line.firstIndex(of: " ") else { return nil }
                let value = String(line[line.index(after: space)...])
                switch line[..<space] {
                case "pid": pid = Int32(value)
                case "start": start = UInt64(value)
                case "objects": objects = value
                case "ref":
                    let words = value.split(separator: " ").map(String.init)
                    guard words.count == 3 else { return nil }
                    refs.append((words[0], words[1] == "-" ? "" : words[1], words[2]))
                default: return nil
                }
            }
            guard let pid, let start, let objects else { return nil }
            self.init(process: ProcessIdentity(pid: pid, start: start), objects: objects, refs: refs)
            self.file = file
        }
    }

    /// The lock, held from `lock()` until `release()` or the end of the process.
    package final class Lock {
        private var fd: Int32
        init(fd: Int32) { self.fd = fd }
        /// Lets go of the lock (closing the file is what releases a `flock`).
        package func release() {
            if fd >= 0 { close(fd) }
            fd = -1
        }
        deinit { release() }
    }

    /// Takes the lock, waiting while another check holds it (the caller's time budget ends
    /// the wait); nil when the lock file cannot be made (a read-only repository: then no
    /// check there can record an admission either).
    package func lock() -> Lock? {
        mkdir(String(lockPath[..<lockPath.lastIndex(of: "/")!]), 0o755)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            close(fd)
            return nil
        }
        return Lock(fd: fd)
    }

    /// Every record in the ledger, in file-name order.
    package func records() -> [Record] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix("a-") { names.append(name) }
        }
        return names.sorted().compactMap { name in
            guard let bytes = Self.contents(directory + "/" + name) else { return nil }
            return Record(text: String(decoding: bytes, as: UTF8.self), file: name)
        }
    }

    /// Writes a record (whole, through a file renamed into place); its file name, or nil
    /// when it cannot be written.
    @discardableResult
    package func add(_ record: Record) -> String? {
        mkdir(String(directory[..<directory.lastIndex(of: "/")!]), 0o755)
        mkdir(directory, 0o755)
        let name = "a-\(record.process.pid)-\(record.process.start)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        do {
            try FileWrite.replace(directory + "/" + name, with: Array(record.text.utf8), mode: 0o644, failure: { $0 })
        } catch {
            return nil
        }
        return name
    }

    /// Removes a record that stopped counting.
    package func remove(_ record: Record) {
        guard !record.file.isEmpty else { return }
        unlink(directory + "/" + record.file)
    }

    private static func contents(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { return out }
            out += buffer[0..<n]
            if out.count > 1 << 20 { return nil }  // no record is that long
        }
    }
}

/// A process, told apart from a later one that reuses its pid by its start time
/// (`/proc/PID/stat`, field 22, in clock ticks since boot).
package struct ProcessIdentity: Equatable, Sendable {
    package let pid: Int32
    package let start: UInt64

    package init(pid: Int32, start: UInt64) {
        self.pid = pid
        self.start = start
    }

    /// The process with this pid now, nil when there is none.
    package static func of(_ pid: Int32) -> ProcessIdentity? {
        guard pid > 0, let stat = statFields(pid), stat.count > 19, let start = UInt64(stat[19]) else { return nil }
        return ProcessIdentity(pid: pid, start: start)
    }

    /// Whether the process is still running (a zombie has ended).
    package var isRunning: Bool {
        guard let stat = Self.statFields(pid), stat.count > 19, UInt64(stat[19]) == start else { return false }
        return stat[0] != "Z" && stat[0] != "X"
    }

    /// The git command a hook runs under: the nearest ancestor whose command name is git's
    /// (`git`, `git-receive-pack`...), through the hook's shell and any framework between;
    /// else the parent.
    package static func gitAncestor() -> ProcessIdentity? {
        var pid = getppid()
        for _ in 0..<8 {
            guard pid > 1, let fields = statFields(pid), fields.count > 1 else { break }
            if let name = command(pid), name == "git" || name.hasPrefix("git-") { return of(pid) }
            guard let parent = Int32(fields[1]) else { break }
            pid = parent
        }
        return of(getppid())
    }

    /// `/proc/PID/comm`, without its newline.
    static func command(_ pid: Int32) -> String? {
        guard let fd = Optional(open("/proc/\(pid)/comm", O_RDONLY | O_CLOEXEC)), fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].prefix(while: { $0 != 10 }), as: UTF8.self)
    }

    /// The fields of `/proc/PID/stat` after the command name (which may hold spaces and
    /// parentheses): state first, then ppid, ...
    static func statFields(_ pid: Int32) -> [Substring]? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0, let close = buffer[0..<n].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let text = String(decoding: buffer[(close + 1)..<n], as: UTF8.self)
        return text.split(separator: " ")
    }
}
