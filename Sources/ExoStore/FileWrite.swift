#if canImport(Glibc)
    import Glibc
#endif

/// Writing files as every writer here must: all the bytes (a write may take fewer, or be
/// interrupted), and a file replaced whole through a temporary file renamed over it, so
/// that a reader sees the old file or the new one, never half of one.
package enum FileWrite {
    /// Writes all of `bytes` to `fd`; false on an error (`errno` says which).
    package static func all(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    package static func all(_ fd: Int32, _ bytes: [UInt8]) -> Bool { all(fd, bytes[...]) }

    /// What went wrong: what was being done, and the system's reason.
    package struct Failure: Error {
        package let action: String
        package let cause: String
        init(_ action: String) {
            self.action = action
            cause = String(cString: strerror(errno))
        }
    }

    /// Replaces `path` with `bytes` through `.<name>.XXXXXX` beside it: with `mode`, or the
    /// mode of the file it replaces; flushed to the disk first when `sync`. `beforeRename`
    /// runs last and may refuse (throw); the temporary file is removed on every failure.
    package static func replace<E: Error>(
        _ path: String, with bytes: [UInt8], mode: mode_t? = nil, sync: Bool = false,
        failure: (Failure) -> E, beforeRename: () throws(E) -> Void = {}
    ) throws(E) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory)/.\(name).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(Failure("cannot create a temporary file")) }
        let tmp = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(tmp) }
        }
        var st = stat()
        if let mode { fchmod(fd, mode) } else if stat(path, &st) == 0 { fchmod(fd, st.st_mode & 0o7777) }
        guard all(fd, bytes) else { throw failure(Failure("cannot write")) }
        if sync { guard fsync(fd) == 0 else { throw failure(Failure("cannot write")) } }
        try beforeRename()
        guard rename(tmp, path) == 0 else { throw failure(Failure("cannot replace")) }
        renamed = true
    }
}
