import ExoModel
import ExoStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files on disk. The snapshot's top is `/`: snapshot paths are absolute paths
/// without their leading slash.
public final class FileSystemSnapshot: ConcurrentSnapshot {
    /// How much of one document is read at most (git config `exo.maxFrontmatter`): a file
    /// larger than this is read only as far as its frontmatter goes, and one whose
    /// frontmatter runs past it is refused in one line, as in the index and in trees.
    public let limit: ReadLimit

    /// The files on disk, from the root of the file system, each read as far as `limit`
    /// says (whole unless said: the session gives a document's frontmatter, within
    /// `exo.maxFrontmatter`).
    public init(limit: ReadLimit = .whole) {
        self.limit = limit
    }

    /// No name: paths here are absolute.
    public var topName: String { "" }

    /// Names that are not UTF-8 (`changes/caf\xe9.md`) are decoded byte for byte
    /// (`RawBytes`), so a listing's name still holds the file's own bytes: the file is
    /// opened by them (GUARD.md: a document is found on disk whatever bytes its name
    /// holds), and a report shows them (`caf\xe9.md`). `body` gets the bytes of the absolute
    /// path `path` as a C string.
    static func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) -> T) -> T {
        let b = RawBytes.encode(path) + [0]
        return b.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    private func absolute(_ path: String) -> String { "/" + path }

    /// What is at `path`, without following a symlink (`lstat`).
    public func kind(_ path: String) -> EntryKind? {
        var st = stat()
        guard Self.withCString(absolute(path), { lstat($0, &st) }) == 0 else { return nil }
        return Self.kind(mode: st.st_mode)
    }

    static func kind(mode: mode_t) -> EntryKind {
        switch mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// A folder's entries; empty when it cannot be read.
    public func list(_ directory: String) -> [DirectoryEntry] {
        guard let dir = Self.withCString(absolute(directory), { opendir($0) }) else { return [] }
        defer { closedir(dir) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            let name = RawBytes.decode(bytes)
            if name == "." || name == ".." { continue }
            let kind: EntryKind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_UNKNOWN): kind = self.kind(SnapPath.join(directory, name)) ?? .other
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
        return entries
    }

    /// `os.path.realpath` of `path`, when it exists.
    public func realPath(_ path: String) -> String? {
        guard let resolved = Self.withCString(absolute(path), { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return String(String(cString: resolved).dropFirst())
    }

    /// A file's bytes.
    public func read(_ path: String) throws(ExoError) -> [UInt8] {
        let full = absolute(path)
        return try Self.read(
            absolute: full, fd: Self.withCString(full) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }, limit: limit)
    }

    /// Readers for the parallel read: files are read on any thread.
    public func readerFactory() -> (@Sendable () -> (any ConcurrentReader)?)? {
        let limit = self.limit
        return { Reader(limit: limit) }
    }

    /// Reads documents for parsing: one read of the file's first bytes, which most often
    /// are enough (`ReadLimit`: a document's frontmatter decided); the whole file otherwise.
    struct Reader: ConcurrentReader {
        let limit: ReadLimit
        func read(_ path: String, key: CacheKey?) -> [UInt8]? {
            let absolute = "/" + path
            let fd = FileSystemSnapshot.withCString(absolute) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
            guard fd >= 0 else { return nil }
            let first = [UInt8](unsafeUninitializedCapacity: 4096) { buffer, count in
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                count = max(0, n)
            }
            close(fd)
            if limit.enough(first) { return first }
            return try? FileSystemSnapshot.read(
                absolute: absolute, fd: FileSystemSnapshot.withCString(absolute) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) },
                limit: limit)
        }
    }

    package static func read(absolute: String) throws(ExoError) -> [UInt8] {
        try read(absolute: absolute, fd: open(absolute, O_RDONLY | O_CLOEXEC | O_NONBLOCK))
    }

    /// The bytes of the file open as `fd` (closed here), named `absolute` in errors; of a
    /// file larger than `limit` allows, only as many as are enough.
    static func read(absolute: String, fd: Int32, limit: ReadLimit? = nil) throws(ExoError) -> [UInt8] {
        guard fd >= 0 else { throw .unreadable(file: absolute, cause: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Self.kind(mode: st.st_mode) == .file else {
            throw .unreadable(file: absolute, cause: "not a regular file")
        }
        if let limit, Int(st.st_size) > limit.bytes {
            return try prefix(of: fd, absolute: absolute, size: Int(st.st_size), limit: limit)
        }
        // One byte more than the size: a file read whole is seen to end without growing.
        let size = Int(st.st_size)
        var failure: Int32 = 0
        var out = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            count = 0
            while count < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                count += n
            }
        }
        // A file that grew since fstat: the rest in chunks.
        var chunk = [UInt8](repeating: 0, count: failure == 0 && out.count == size + 1 ? 65536 : 0)
        while failure == 0 && !chunk.isEmpty {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        if failure != 0 { throw .unreadable(file: absolute, cause: String(cString: strerror(failure))) }
        return out
    }

    /// The absolute path.
    public func describe(_ path: String) -> String { absolute(path) }

    /// The current directory as a snapshot path.
    public static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "" }
        defer { free(cwd) }
        return String(String(cString: cwd).dropFirst())
    }

    /// An absolute, lexically normalized snapshot path for a user-given path (like `os.path.abspath`).
    public static func absolutePath(_ given: String) -> String {
        let full = given.hasPrefix("/") ? given : "/" + SnapPath.join(currentDirectory(), given)
        return SnapPath.normalize(full.split(separator: "/", omittingEmptySubsequences: false)) ?? ""
    }

    /// The first bytes of a file larger than `limit.bytes`, read in growing steps until they
    /// are enough (a document's frontmatter decided); refused in one line when its first
    /// `limit.bytes` are not (a frontmatter longer than `exo.maxFrontmatter`).
    private static func prefix(of fd: Int32, absolute: String, size: Int, limit: ReadLimit) throws(ExoError) -> [UInt8] {
        let maxRead = limit.bytes
        var out: [UInt8] = []
        var step = 1 << 16
        while out.count < maxRead {
            let want = min(step, maxRead - out.count)
            var chunk = [UInt8](repeating: 0, count: want)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(file: absolute, cause: String(cString: strerror(errno)))
            }
            if n == 0 { return out }  // shrank since fstat: what there is
            out += chunk[0..<n]
            if limit.enough(out) { return out }
            step = min(step * 2, 16 << 20)
        }
        throw .frontmatterTooLarge(file: absolute, size: size, limit: maxRead)
    }
}
