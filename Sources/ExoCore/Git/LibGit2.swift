import CGit2

/// The one place libgit2 is initialised and its errors are read. Nothing outside this
/// folder imports CGit2 or sees a C pointer.
enum LibGit2 {
    /// `git_libgit2_init()` once per process, with the options the guard needs: caching
    /// off (every blob is read once, so a cache only costs memory), no second hashing of
    /// each object read, the extensions that
    /// are safe to ignore for reading allowed, no global or system config search (the
    /// repository's own config is what a hook is configured by, and tests isolate theirs).
    static let initialized: Bool = {
        git_libgit2_init()
        _ = cgit2_enable_caching(0)
        _ = cgit2_set_owner_validation(0)
        // Objects are addressed by their hash and were checked when git received them;
        // hashing every blob again on each read would double the cost of reading.
        _ = cgit2_enable_strict_hash_verification(0)
        let allowed = ["worktreeconfig", "preciousobjects", "noop"]
        var pointers = allowed.map { strdup($0) }
        pointers.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { p in
                _ = cgit2_set_extensions(p, buf.count)
            }
        }
        pointers.forEach { free($0) }
        return true
    }()

    /// Whether this libgit2 was built for threads (then separate repository handles may be
    /// used from separate threads).
    static var threadSafe: Bool {
        _ = initialized
        return git_libgit2_features() & Int32(GIT_FEATURE_THREADS.rawValue) != 0
    }

    /// Checks a libgit2 return code; a negative one becomes an error carrying `git_error_last()`.
    static func check(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) {
        guard code < 0 else { return }
        throw GitError(code: code, message: "\(what()): \(lastMessage())")
    }

    static func lastMessage() -> String {
        guard let e = git_error_last(), let m = e.pointee.message else { return "unknown libgit2 error" }
        return String(cString: m)
    }
}

/// A libgit2 failure: the return code and the message, already copied out of libgit2.
struct GitError: Error, Sendable {
    let code: Int32
    let message: String
    var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
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
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstr(&oid, hex) == 0 else { return nil }
        raw = oid
    }

    public var description: String {
        var buf = [CChar](repeating: 0, count: 41)
        withUnsafePointer(to: raw) { _ = git_oid_fmt(&buf, $0) }
        return String(decoding: buf.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
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
