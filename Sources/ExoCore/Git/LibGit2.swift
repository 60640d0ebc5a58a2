import CGit2

/// libgit2's functions, called as `git.tree_lookup(...)`: loaded and initialised on first use.
nonisolated(unsafe) let git: cgit2_api = LibGit2.load()

/// The one place libgit2 is loaded and initialised and its errors are read. Nothing outside this
/// folder imports CGit2 or sees a C pointer.
enum LibGit2 {
    /// libgit2, loaded (see shim.h) and initialised once per process, with the options the
    /// guard needs: caching off (every blob is read once, so a cache only costs memory), no
    /// second hashing of each object read, the extensions that are safe to ignore for
    /// reading allowed, no global or system config search (the repository's own config is
    /// what a hook is configured by, and tests isolate theirs).
    /// A libgit2 that cannot be loaded ends the process with exit 2, as the dynamic loader
    /// would have at start, but with a message that says what is missing.
    fileprivate static func load() -> cgit2_api {
        let table = UnsafeMutablePointer<cgit2_api>.allocate(capacity: 1)
        defer { table.deallocate() }
        if let failure = cgit2_load(table) {
            let message = "exo-guard: cannot load libgit2 (\(String(cString: failure))); install it (Debian: libgit2-1.5)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            exit(2)
        }
        var api = table.pointee
        _ = api.libgit2_init()
        _ = cgit2_enable_caching(&api, 0)
        _ = cgit2_set_owner_validation(&api, 0)
        // Objects are addressed by their hash and were checked when git received them;
        // hashing every blob again on each read would double the cost of reading.
        _ = cgit2_enable_strict_hash_verification(&api, 0)
        let allowed = ["worktreeconfig", "preciousobjects", "noop"]
        var pointers = allowed.map { strdup($0) }
        pointers.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { p in
                _ = cgit2_set_extensions(&api, p, buf.count)
            }
        }
        for p in pointers { free(p) }
        return api
    }

    /// Whether this libgit2 was built for threads (then separate repository handles may be
    /// used from separate threads).
    static var threadSafe: Bool {
        git.libgit2_features() & Int32(GIT_FEATURE_THREADS.rawValue) != 0
    }

    /// Checks a libgit2 return code; a negative one becomes an error carrying `git.error_last()`.
    static func check(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) {
        guard code < 0 else { return }
        throw GitError(code: code, message: "\(what()): \(lastMessage())")
    }

    static func lastMessage() -> String {
        guard let e = git.error_last(), let m = e.pointee.message else { return "unknown libgit2 error" }
        return String(cString: m)
    }
}

/// A libgit2 failure: the return code and the message, already copied out of libgit2.
struct GitError: Error, Sendable {
    let code: Int32
    let message: String
}

/// One owner per C object: frees it in `deinit` with the matching `git_*_free`.
final class Managed {
    let pointer: OpaquePointer
    private let release: (OpaquePointer) -> Void
    init(_ pointer: OpaquePointer, _ release: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.release = release
    }
    deinit { release(pointer) }
}

/// A git object id (SHA-1), copied out of libgit2.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    init(_ pointer: UnsafePointer<git_oid>) { self.raw = pointer.pointee }

    /// Parses 40 hex digits.
    init?(hex: String) {
        guard hex.utf8.count == 40,
            hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) })
        else { return nil }
        var oid = git_oid()
        let digits = Array(hex.utf8)
        func value(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        withUnsafeMutableBytes(of: &oid) { raw in
            for i in 0..<20 { raw[i] = value(digits[2 * i]) << 4 | value(digits[2 * i + 1]) }
        }
        raw = oid
    }

    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        return withUnsafeBytes(of: raw) { raw in
            String(unsafeUninitializedCapacity: 40) { out in
                for i in 0..<20 {
                    out[2 * i] = digits[Int(raw[i] >> 4)]
                    out[2 * i + 1] = digits[Int(raw[i] & 15)]
                }
                return 40
            }
        }
    }

    public static func == (a: ObjectID, b: ObjectID) -> Bool {
        withUnsafeBytes(of: a.raw) { x in withUnsafeBytes(of: b.raw) { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw) { hasher.combine(bytes: $0) }
    }

    /// The object a cache key names.
    init(_ key: CacheKey) {
        var oid = git_oid()
        let bytes = key.bytes
        withUnsafeMutableBytes(of: &oid) { raw in for i in 0..<20 { raw[i] = bytes[i] } }
        self.raw = oid
    }

    /// The id as a cache key.
    public var cacheKey: CacheKey { withUnsafeBytes(of: raw) { CacheKey($0) } }

    /// Whether `hex` is a zero id (all zeros, 40 or 64 digits), as hooks receive for a missing ref.
    public static func isZero(_ hex: String) -> Bool {
        (hex.utf8.count == 40 || hex.utf8.count == 64) && hex.utf8.allSatisfy { $0 == UInt8(ascii: "0") }
    }
}

#if canImport(Glibc)
    import Glibc
#endif

/// libgit2 (Debian's build, with mbedTLS) parses the system's whole CA bundle while it
/// initialises, a few milliseconds of every run, for TLS connections exo-guard never opens.
/// This definition takes the place of mbedTLS's for libgit2 (the executable's symbols come
/// first when the dynamic linker binds libgit2's calls): no certificate is loaded, so a TLS
/// connection, were one ever made, would find no trusted certificate and fail — closed,
/// never open. Builds of libgit2 over OpenSSL never call it.
@_cdecl("mbedtls_x509_crt_parse_file")
public func skipCertificateBundle(_ chain: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 { 0 }

/// The same for SSH: libgit2 initialises libssh2 at start, which initialises OpenSSL's
/// crypto (engines, algorithm tables), about 0.4 ms, for SSH transports exo-guard never
/// opens: it reads a repository and never fetches or pushes.
@_cdecl("libssh2_init")
public func skipSSHInitialisation(_ flags: Int32) -> Int32 { 0 }
