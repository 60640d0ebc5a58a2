import ExoModel
import ExoStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files on disk. The snapshot's top is `/`: snapshot paths are absolute paths
/// without their leading slash.
public final class FileSystemSnapshot: Snapshot {
    /// The files on disk, from the root of the file system.
    public init() {}

    /// No name: paths here are absolute.
    public var topName: String { "" }

    /// The names that are not UTF-8 (`changes/caf\xe9.md`): a listing shows them decoded
    /// as git snapshots do (each bad byte U+FFFD, so the document has the id it has in the
    /// index and in trees), and this keeps the bytes of each such path, so the file is
    /// still opened by its own name (GUARD.md: a document is found on disk whatever bytes
    /// its name holds).
    private let raw = RawNames()

    final class RawNames: Sendable {
        private let paths = Mutex<[String: [UInt8]]>([:])
        /// The bytes of the absolute path `path` (a snapshot path with its leading slash).
        func bytes(_ path: String) -> [UInt8] {
            paths.withLock { table in
                if table.isEmpty { return Array(path.utf8) }
                if let known = table[path] { return known }
                // A path below a folder whose name is not UTF-8.
                var cut = path.utf8.count
                let utf8 = Array(path.utf8)
                while let slash = utf8[..<cut].lastIndex(of: UInt8(ascii: "/")), slash > 0 {
                    let head = String(decoding: utf8[..<slash], as: UTF8.self)
                    if let known = table[head] { return known + utf8[slash...] }
                    cut = slash
                }
                return utf8
            }
        }
        func keep(_ path: String, _ bytes: [UInt8]) { paths.withLock { $0[path] = bytes } }
        /// `body` with the path's bytes as a C string.
        func withCString<T>(_ path: String, _ body: (UnsafePointer<CChar>) -> T) -> T {
            let b = bytes(path) + [0]
            return b.withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
            }
        }
    }

    private func absolute(_ path: String) -> String { "/" + path }

    /// What is at `path`, without following a symlink (`lstat`).
    public func kind(_ path: String) -> EntryKind? {
        var st = stat()
        guard raw.withCString(absolute(path), { lstat($0, &st) }) == 0 else { return nil }
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
        guard let dir = raw.withCString(absolute(directory), { opendir($0) }) else { return [] }
        defer { closedir(dir) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            let name = String(decoding: bytes, as: UTF8.self)
            if name == "." || name == ".." { continue }
            if String(validating: bytes, as: UTF8.self) == nil {
                let full = absolute(SnapPath.join(directory, name))
                raw.keep(full, raw.bytes(absolute(directory)) + [UInt8(ascii: "/")] + bytes)
            }
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
        guard let resolved = raw.withCString(absolute(path), { realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return String(String(cString: resolved).dropFirst())
    }

    /// A file's bytes.
    public func read(_ path: String) throws(ExoError) -> [UInt8] {
        let full = absolute(path)
        return try Self.read(absolute: full, fd: raw.withCString(full) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) })
    }

    /// Readers for the parallel read: files are read on any thread.
    public func readerFactory() -> (@Sendable () -> (any ConcurrentReader)?)? {
        let raw = self.raw
        return { Reader(raw: raw) }
    }

    /// Reads documents for parsing: one read of the file's first bytes, which most often
    /// decide its frontmatter (`Frontmatter.isDecided`); the whole file otherwise.
    struct Reader: ConcurrentReader {
        let raw: RawNames
        func read(_ path: String, key: CacheKey?) -> [UInt8]? {
            let absolute = "/" + path
            let fd = raw.withCString(absolute) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
            guard fd >= 0 else { return nil }
            let first = [UInt8](unsafeUninitializedCapacity: 4096) { buffer, count in
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                count = max(0, n)
            }
            close(fd)
            if Frontmatter.isDecided(byPrefix: first) { return first }
            return try? FileSystemSnapshot.read(
                absolute: absolute, fd: raw.withCString(absolute) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) })
        }
    }

    package static func read(absolute: String) throws(ExoError) -> [UInt8] {
        try read(absolute: absolute, fd: open(absolute, O_RDONLY | O_CLOEXEC | O_NONBLOCK))
    }

    /// The bytes of the file open as `fd` (closed here), named `absolute` in errors.
    static func read(absolute: String, fd: Int32) throws(ExoError) -> [UInt8] {
        guard fd >= 0 else { throw .unreadable(file: absolute, cause: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Self.kind(mode: st.st_mode) == .file else {
            throw .unreadable(file: absolute, cause: "not a regular file")
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
}
