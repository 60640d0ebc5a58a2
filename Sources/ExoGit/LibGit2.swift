import CGit2
import ExoModel
import ExoStore
import Synchronization

/// libgit2's functions, called as `git.tree_lookup(...)`: loaded and initialised on first use.
nonisolated(unsafe) let git: cgit2_api = LibGit2.load()

/// The one place libgit2 is loaded and initialised and its errors are read. Nothing outside this
/// target imports CGit2 or sees a C pointer.
package enum LibGit2 {
    /// Why libgit2 could not be loaded, once `git` was first used and it could not.
    private static let loadFailure = Mutex<String?>(nil)

    /// libgit2 loaded, or the error that says what is missing. Every use of `git` comes
    /// after a repository is opened, which asks this first.
    package static func ready() throws(ExoError) {
        _ = git
        if let cause = loadFailure.withLock({ $0 }) { throw .libgit2Missing(cause) }
    }

    /// libgit2, loaded (see shim.h) and initialised once per process, with the options the
    /// guard needs: caching off (every blob is read once, so a cache only costs memory), no
    /// second hashing of each object read, the extensions that are safe to ignore for
    /// reading allowed, no global or system config search (the repository's own config is
    /// what a hook is configured by, and tests isolate theirs).
    /// A libgit2 that cannot be loaded leaves the table empty and says why in `failure`,
    /// which `ready()` throws before anything uses the table (no library ends the process).
    fileprivate static func load() -> cgit2_api {
        let table = UnsafeMutablePointer<cgit2_api>.allocate(capacity: 1)
        defer { table.deallocate() }
        memset(table, 0, MemoryLayout<cgit2_api>.size)
        if let failure = cgit2_load(table) {
            loadFailure.withLock { $0 = String(cString: failure) }
            memset(table, 0, MemoryLayout<cgit2_api>.size)
            return table.pointee
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

    /// Every libgit2 return code that can fail a run goes through here: a negative one
    /// becomes `ExoError.libgit2`, naming what was being done, with libgit2's own message.
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(ExoError) {
        guard code < 0 else { return }
        throw .libgit2(operation: operation(), message: lastMessage())
    }

    /// A short-lived C object: made by `create` (its return code checked), lent to `body`,
    /// freed by `free` when `body` returns or throws.
    static func with<T>(
        _ operation: @autoclosure () -> String, create: (inout OpaquePointer?) -> Int32,
        free: (OpaquePointer?) -> Void, use body: (OpaquePointer) throws(ExoError) -> T
    ) throws(ExoError) -> T {
        var object: OpaquePointer? = nil
        try check(create(&object), operation())
        defer { free(object) }
        return try body(object!)
    }

    /// The same for a lookup whose failure is itself the answer (no such ref, no such tree
    /// in a hostile push): nil when `create` fails.
    static func withFound<T>(
        create: (inout OpaquePointer?) -> Int32, free: (OpaquePointer?) -> Void, use body: (OpaquePointer) -> T?
    ) -> T? {
        var object: OpaquePointer? = nil
        guard create(&object) >= 0, let object else { return nil }
        defer { free(object) }
        return body(object)
    }

    /// git's hash of `text` as a blob: a digest for cache keys made of commit ids.
    static func blobHash(_ text: String) -> ObjectID? {
        var bytes = Array(text.utf8)
        return hash(&bytes, as: GIT_OBJECT_BLOB)
    }

    /// git's id of `bytes` as an object of `type` (the id git gives a tree it writes).
    static func hash(_ bytes: inout [UInt8], as type: git_object_t) -> ObjectID? {
        var oid = git_oid()
        guard git.odb_hash(&oid, &bytes, bytes.count, type) >= 0 else { return nil }
        return ObjectID(oid)
    }

    /// The version of the libgit2 this binary loads (loading it, without initialising it),
    /// or why it cannot be loaded.
    package static var version: String {
        let table = UnsafeMutablePointer<cgit2_api>.allocate(capacity: 1)
        defer { table.deallocate() }
        if let failure = cgit2_load(table) { return "not loadable (\(String(cString: failure)))" }
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        _ = table.pointee.libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// The commit this binary was built from (`make release` defines it); empty otherwise.
    package static var buildCommit: String { String(cString: cgit2_build_commit()) }

    static func lastMessage() -> String {
        guard let e = git.error_last(), let m = e.pointee.message else { return "unknown libgit2 error" }
        return String(cString: m)
    }
}

/// The owner of a long-lived C object (a repository, its object database, a config): made
/// by `create` with its return code checked, freed with the matching `git_*_free` when the
/// owner goes.
final class Owner {
    let pointer: OpaquePointer
    private let release: (OpaquePointer) -> Void

    init(
        _ operation: @autoclosure () -> String, create: (inout OpaquePointer?) -> Int32,
        free: @escaping (OpaquePointer) -> Void
    ) throws(ExoError) {
        var object: OpaquePointer? = nil
        try LibGit2.check(create(&object), operation())
        self.pointer = object!
        self.release = free
    }

    /// Takes over an object made elsewhere.
    init(_ pointer: OpaquePointer, free: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.release = free
    }

    deinit { release(pointer) }
}

/// A git object id (SHA-1), copied out of libgit2.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    var raw: git_oid

    init(_ raw: git_oid) { self.raw = raw }

    init(_ pointer: UnsafePointer<git_oid>) { self.raw = pointer.pointee }

    /// Parses 40 hex digits.
    package init?(hex: String) {
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

    /// The 40 hex digits.
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

    /// Whether the two ids are the same bytes.
    public static func == (a: ObjectID, b: ObjectID) -> Bool {
        withUnsafeBytes(of: a.raw) { x in withUnsafeBytes(of: b.raw) { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }

    /// Hashes the id's first 16 bytes (of a hash already: as good as all of them, and
    /// two words rather than a loop over bytes; a push of many refs hashes millions of ids).
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: raw) {
            hasher.combine($0.loadUnaligned(as: UInt64.self))
            hasher.combine($0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    /// The object a cache key names.
    init(_ key: CacheKey) {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid) { key.copyBytes(to: $0) }  // no array made: 500 a folder listed
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
