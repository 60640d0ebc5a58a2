#if canImport(Glibc)
import Glibc
#endif

/// Parsed frontmatter kept between runs, keyed by blob id, in `<common git dir>/exo-guard/`,
/// so that a hook's cost follows the size of the change rather than of the repository.
///
/// Also the documents of whole folders, keyed by a digest of the folder's tree id and of
/// everything outside the tree they depend on (root, configuration, overlays above), and
/// the workspace roots under a tree.
///
/// Safe to delete. Every entry is a pure function of the content its key names (a blob id
/// names its bytes, a tree id everything below it), so an entry can only be stale by a hash
/// collision. Each entry is stored with its kind and read back only as that kind. A cache
/// that is corrupt or written by another format version is ignored and rebuilt; a damaged
/// tail (a write cut short) is dropped. New entries are appended in one write to the file
/// this run read, or the file is rewritten to a temporary file and renamed; two writers at
/// once lose at most entries, never consistency. Turned off by `EXO_GUARD_CACHE=0` or git
/// config `exo.cache false`.
public final class DiskParseStore: ParseStore {
    static let magic = Array("exo-guard parse cache\n".utf8)
    static let format: UInt32 = 2
    /// Past this many entries, or this many bytes, the oldest are dropped when the file is
    /// written again.
    static let maxEntries = 400_000
    static let maxBytes = 256 << 20

    /// Entries of different kinds may share a key (a folder's documents and their view).
    struct Slot: Hashable {
        let kind: UInt8
        let key: CacheKey
    }

    let path: String
    private var data: [UInt8] = []
    private var index: [Slot: Range<Int>] = [:]
    /// Where each entry of the file read lies, oldest first.
    private var spans: [Range<Int>] = []
    /// Whether the file read to its end; new entries are never appended after a damaged tail.
    private var intact = false
    private var added: [UInt8] = []
    private var addedCount = 0

    public init(directory: String) {
        path = directory + "/exo-guard/parse-cache"
        load()
    }

    /// The store for a repository, or nil when turned off (`EXO_GUARD_CACHE=0`, or
    /// `exo.cache` false in `config`, the repository's git config the caller has read).
    public static func forRepository(_ repository: Repository, config: GitConfig?) -> DiskParseStore? {
        if repository.environment["EXO_GUARD_CACHE"] == "0" { return nil }
        if let v = config?.string("exo.cache")?.lowercased(), ["false", "no", "off", "0"].contains(v) { return nil }
        return DiskParseStore(directory: repository.commonDir)
    }

    /// Reads the file; a damaged tail (a write cut short) ends the entries read.
    private func load() {
        guard let bytes = try? FileSystemSnapshot().read(String(path.dropFirst())),
              bytes.count >= Self.magic.count + 4, bytes.starts(with: Self.magic) else { return }
        var r = CacheCoding.Reader(bytes[...])
        r.position = Self.magic.count
        guard r.u32() == Self.format else { return }
        var index: [Slot: Range<Int>] = [:]
        var spans: [Range<Int>] = []
        while !r.atEnd {
            let start = r.position
            guard let key = r.take(20), let kind = r.take(1)?.first, let length = r.u32(),
                  let payload = r.take(Int(length)) else { break }
            index[Slot(kind: kind, key: CacheKey(key)!)] = payload.startIndex..<payload.endIndex
            spans.append(start..<r.position)
        }
        self.intact = r.atEnd
        self.data = bytes
        self.index = index
        self.spans = spans
    }

    public func load(_ kind: CacheEntryKind, _ key: CacheKey) -> ArraySlice<UInt8>? {
        guard let range = index[Slot(kind: kind.rawValue, key: key)] else { return nil }
        return data[range]
    }

    public func save(_ kind: CacheEntryKind, _ key: CacheKey, _ payload: [UInt8]) {
        added += key.bytes
        added.append(kind.rawValue)
        CacheCoding.u32(UInt32(payload.count), into: &added)
        added += payload
        addedCount += 1
    }

    /// Appends this run's entries to the file in one write; a file past its limits (or
    /// missing, or unreadable) is written anew, oldest entries dropped, to a temporary file
    /// renamed over it.
    public func flush() {
        guard addedCount > 0 else { return }
        defer { added.removeAll(); addedCount = 0 }
        let directory = String(path[..<path.lastIndex(of: "/")!])
        mkdir(directory, 0o755)
        if intact && spans.count + addedCount <= Self.maxEntries && data.count + added.count <= Self.maxBytes {
            let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            if fd >= 0 {
                // Appends only to the file this run read: one that was replaced meanwhile is rewritten.
                var st = stat()
                if fstat(fd, &st) == 0 && Int(st.st_size) == data.count {
                    let done = Self.write(fd, added)
                    close(fd)
                    if done { return }
                } else {
                    close(fd)
                }
            }
        }
        var out = Self.magic
        CacheCoding.u32(Self.format, into: &out)
        // Keep the newest entries that fit.
        var kept: [Range<Int>] = []
        var keptBytes = out.count + added.count
        var keptCount = addedCount
        for span in spans.reversed() {
            guard keptCount < Self.maxEntries, keptBytes + span.count <= Self.maxBytes else { break }
            kept.append(span)
            keptBytes += span.count
            keptCount += 1
        }
        for span in kept.reversed() { out += data[span] }
        out += added
        let tmp = path + ".\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }  // a read-only repository: no cache, no error
        let done = Self.write(fd, out)
        close(fd)
        if done { rename(tmp, path) } else { unlink(tmp) }
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
