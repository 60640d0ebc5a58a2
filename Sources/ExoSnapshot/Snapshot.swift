import ExoModel
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// What the graph reads: a tree of paths to bytes. The files on disk, git's index and a
/// commit's tree are the three sources (with the empty snapshot and an overlay of edits
/// about to be made). These six members are all a source must give; what makes a source
/// faster is opt-in, in protocols of its own: `KeyedSnapshot` (content and tree keys, reads
/// and listings by key, comparison by tree ids) and `ConcurrentSnapshot` (a reader per
/// thread). Asked of any snapshot, those answer "not known" for a source without them
/// (the extension below), so the plain walk is what runs.
///
/// Paths are relative to the snapshot's top, `/`-separated, `""` for the top itself
/// (on disk the top is `/`, so paths are absolute paths without their leading slash).
public protocol Snapshot: AnyObject {
    /// What is at `path`, not following a final symlink; nil when nothing is.
    func kind(_ path: String) -> EntryKind?
    /// The entries of the directory at `path` (not following symlinks), in any order.
    func list(_ directory: String) -> [DirectoryEntry]
    /// `path` with every symlink resolved, or nil when it dangles, loops or leaves the snapshot.
    func realPath(_ path: String) -> String?
    /// The bytes of the regular file at `path` (symlinks already resolved by the caller).
    func read(_ path: String) throws(ExoError) -> [UInt8]
    /// How to name `path` in a message: an absolute path on disk, `rev:path` in git.
    func describe(_ path: String) -> String
    /// The name of the top folder (a checkout's folder name), used where exo would see it.
    var topName: String { get }
}

/// A snapshot that names its contents by keys (git's blob and tree ids): what lets the
/// walk take a folder or a document from the cache unread, and two snapshots be compared
/// by tree ids.
public protocol KeyedSnapshot: Snapshot {
    /// The entries of the directory at `path` whose tree key is `key` (as its parent's
    /// listing gave it): read by the key, with no lookup of the path.
    func list(_ directory: String, key: CacheKey) -> [DirectoryEntry]
    /// The bytes of the regular file at `path` whose content key is `key` (as a listing or
    /// a comparison gave it): read by the key, with no lookup of the path.
    func read(_ path: String, key: CacheKey) throws(ExoError) -> [UInt8]
    /// A key that names the content of the file at `path` (a blob id), when cheap to know.
    func contentKey(_ path: String) -> CacheKey?
    /// A key that names everything under the folder `dir` (a git tree id), when known.
    func treeKey(_ dir: String) -> CacheKey?
    /// A collision-resistant digest of `text`, for keys derived from other keys.
    func digest(_ text: String) -> CacheKey?
    /// What differs between the folder `dir` of this snapshot and of `other`, file by file,
    /// found by tree ids (folders with the same id passed over); nil when this snapshot
    /// cannot tell that way.
    func changes(to other: Snapshot, under dir: String) -> [PathChange]?
}

/// A snapshot whose files can be read from several threads at once.
public protocol ConcurrentSnapshot: Snapshot {
    /// Makes, on the thread that calls it, a reader of files for that thread; nil when it
    /// cannot after all (libgit2 built without threads).
    func readerFactory() -> (@Sendable () -> (any ConcurrentReader)?)?
}

/// How much of one document a snapshot reads at most, and when the first bytes of a larger
/// one are enough: given by whoever makes the snapshot (the session: `exo.maxFrontmatter`,
/// and a document's frontmatter decided), so a snapshot knows nothing of documents.
public struct ReadLimit: Sendable {
    /// The most bytes of one file read in order to decide whether the first are enough.
    public let bytes: Int
    /// Whether a file's first bytes (all it has, or a prefix) are all that is needed of it.
    public let enough: @Sendable ([UInt8]) -> Bool

    /// `bytes` at most, and `enough` to stop before.
    public init(bytes: Int, enough: @escaping @Sendable ([UInt8]) -> Bool) {
        self.bytes = bytes
        self.enough = enough
    }

    /// No limit: every file read whole (what a snapshot does unless its maker says more).
    public static let whole = ReadLimit(bytes: .max, enough: { _ in false })
}

/// Reads files of a snapshot on one thread (each thread makes its own).
public protocol ConcurrentReader {
    /// The bytes of the regular file at `path` (content key `key`) for its frontmatter: all
    /// of them, or as many of the first as are enough (the snapshot's `ReadLimit`); nil when
    /// they cannot be read.
    func read(_ path: String, key: CacheKey?) -> [UInt8]?
}

/// What a path is, symlinks not followed.
public enum EntryKind: Sendable, Equatable {
    case file, directory, symlink, other
}

/// One entry of a folder listing.
public struct DirectoryEntry: Sendable {
    /// The entry's name in its folder.
    public let name: String
    /// What it is.
    public let kind: EntryKind
    /// The content key of a file (its blob id), or of a folder (its tree id) when that
    /// tree holds exactly what the snapshot shows there; nil when the snapshot knows none.
    public let key: CacheKey?
    /// An entry named `name`.
    public init(name: String, kind: EntryKind, key: CacheKey? = nil) {
        self.name = name
        self.kind = kind
        self.key = key
    }
}

/// A path that differs between two snapshots, and what is there on each side (nil: nothing).
public struct PathChange: Sendable {
    /// The path, relative to the folder compared.
    public let path: String
    /// What the first snapshot has there: its kind and content key.
    public let before: (kind: EntryKind, key: CacheKey)?
    /// What the second snapshot has there.
    public let after: (kind: EntryKind, key: CacheKey)?
    /// A change at `path`.
    public init(path: String, before: (kind: EntryKind, key: CacheKey)?, after: (kind: EntryKind, key: CacheKey)?) {
        self.path = path
        self.before = before
        self.after = after
    }
}

extension Snapshot {
    /// `os.path.isfile`: a regular file once symlinks are followed.
    public func isFile(_ path: String) -> Bool {
        guard let real = realPath(path) else { return false }
        return kind(real) == .file
    }

    /// `os.path.isdir`: a directory once symlinks are followed.
    public func isDirectory(_ path: String) -> Bool {
        guard let real = realPath(path) else { return false }
        return kind(real) == .directory
    }

    /// The snapshot's keys, when it has them (`KeyedSnapshot`); nil for a plain source,
    /// whose walk then reads every folder and file by its path.
    public var keyed: KeyedSnapshot? { self as? KeyedSnapshot }
    /// Listed by the key when the snapshot is keyed, else by the path.
    public func list(_ directory: String, orBy key: CacheKey?) -> [DirectoryEntry] {
        guard let key, let keyed else { return list(directory) }
        return keyed.list(directory, key: key)
    }
    /// Read by the key when the snapshot is keyed, else by the path.
    public func read(_ path: String, orBy key: CacheKey?) throws(ExoError) -> [UInt8] {
        guard let key, let keyed else { return try read(path) }
        return try keyed.read(path, key: key)
    }
    /// A reader per thread, when the snapshot can be read from several at once.
    public var readers: (@Sendable () -> (any ConcurrentReader)?)? {
        (self as? ConcurrentSnapshot)?.readerFactory()
    }
}

extension Array where Element == DirectoryEntry {
    /// Sorted by name in code point order (Python's `sorted` on names), which for UTF-8 is byte order.
    /// The names are compared as bytes laid end to end in one buffer; a listing already in
    /// that order (a git tree's, most often) is returned as it is.
    public func sortedByName() -> [DirectoryEntry] {
        guard count > 1 else { return self }
        var bytes: [UInt8] = []
        var spans: [(start: Int, count: Int)] = []
        spans.reserveCapacity(count)
        for entry in self {
            var name = entry.name
            name.withUTF8 {
                spans.append((bytes.count, $0.count))
                bytes.append(contentsOf: $0)
            }
        }
        bytes.append(0)  // never empty
        let order: [Int]? = bytes.withUnsafeBufferPointer { b in
            let base = b.baseAddress!
            func before(_ i: Int, _ j: Int) -> Bool {
                let x = spans[i]
                let y = spans[j]
                let c = memcmp(base + x.start, base + y.start, Swift.min(x.count, y.count))
                return c != 0 ? c < 0 : x.count < y.count
            }
            if indices.dropFirst().allSatisfy({ before($0 - 1, $0) }) { return nil }
            return indices.sorted(by: before)
        }
        return order.map { $0.map { self[$0] } } ?? self
    }
}

/// Path arithmetic on snapshot paths.
public enum SnapPath {
    /// The deepest folder the walks enter, counted from where they start: a path of 2,048
    /// one-letter folders is already as long as Linux lets a path be (PATH_MAX), so no
    /// checkout holds a deeper one, and a tree that does (which only a crafted push brings)
    /// is refused in one line rather than walked (each level of the walks is a frame of the
    /// stack, and costs the length of the path).
    public static let maxDepth = 2048

    /// How many folders `path` names above its last component (its `/`s).
    public static func depth(_ path: String) -> Int {
        guard path.utf8.count > 1 else { return 0 }
        var path = path
        return path.withUTF8 { bytes in
            var n = 0
            for b in bytes where b == UInt8(ascii: "/") { n += 1 }
            return n
        }
    }

    /// `path` for a message: whole when short, else its start and its last component.
    public static func abbreviated(_ path: String) -> String {
        guard path.utf8.count > 120 else { return path }
        let start = String(decoding: path.utf8.prefix(60), as: UTF8.self)
        return start + "\u{2026}/" + name(path)
    }

    /// `a/b`, either side possibly empty.
    public static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        // Made at its length in one step (the walk joins two paths for every file).
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                String(unsafeUninitializedCapacity: x.count + 1 + y.count) { out in
                    out.baseAddress!.initialize(from: x.baseAddress!, count: x.count)
                    out[x.count] = UInt8(ascii: "/")
                    (out.baseAddress! + x.count + 1).initialize(from: y.baseAddress!, count: y.count)
                    return x.count + 1 + y.count
                }
            }
        }
    }

    /// The folder `p` is in (`""` for a top-level name).
    public static func parent(_ p: String) -> String {
        guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(p[..<slash])
    }

    /// The last component of `p`.
    public static func name(_ p: String) -> String {
        guard let slash = p.utf8.lastIndex(of: UInt8(ascii: "/")) else { return p }
        return String(p[p.utf8.index(after: slash)...])
    }

    /// `child` relative to `ancestor`, when it is inside it (or equal: "").
    public static func relative(_ child: String, to ancestor: String) -> String? {
        if ancestor.isEmpty { return child }
        if child.utf8.elementsEqual(ancestor.utf8) { return "" }
        if child.utf8.starts(with: (ancestor + "/").utf8) {
            return String(child.utf8.dropFirst(ancestor.utf8.count + 1))!
        }
        return nil
    }

    /// Whether `child` is `ancestor` or inside it.
    public static func isInside(_ child: String, _ ancestor: String) -> Bool {
        relative(child, to: ancestor) != nil
    }

    /// Resolves `.` and `..` in a `/`-separated relative path; nil when `..` climbs above the top.
    public static func normalize(_ components: [Substring]) -> String? {
        var out: [Substring] = []
        for c in components {
            if c.isEmpty || c == "." { continue }
            if c == ".." {
                if out.isEmpty { return nil }
                out.removeLast()
            } else {
                out.append(c)
            }
        }
        return out.joined(separator: "/")
    }
}
