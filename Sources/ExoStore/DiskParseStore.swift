import Dispatch

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
/// tail (a write cut short) is dropped. Turned off by `EXO_GUARD_CACHE=0` or git config
/// `exo.cache false`.
///
/// The file is a table sorted by (key, kind) followed by the entries added since it was
/// last sorted. It is mapped, not read: a lookup is a binary search in the table (or a
/// look in the small tail), so opening it costs the same whatever its size, and a run
/// touches only the pages it needs. New entries are appended in one write to the file this
/// run read; past `maxTail` appended entries, or when the file changed under this run,
/// everything is written anew, sorted, to a temporary file renamed over it. Two writers at
/// once lose at most entries, never consistency.
public final class DiskParseStore: ParseStore {
    static let magic = Array("exo-guard parse cache\n".utf8)
    static let format: UInt32 = 4  // 4: names that are not UTF-8 kept byte for byte (RawBytes)
    /// A table row: key (20 bytes), kind, 3 bytes of padding, offset and length (u32 LE).
    static let rowSize = 32
    static let headerSize = magic.count + 12
    /// Past this many entries, or this many bytes, the file is written anew with only the
    /// entries this run used or made.
    static let maxEntries = 400_000
    static let maxBytes = 256 << 20
    /// Appended entries past which the file is sorted again.
    static let maxTail = 4096

    /// Entries of different kinds may share a key (a folder's documents and their view).
    struct Slot: Hashable {
        let kind: UInt8
        let key: CacheKey
    }

    let path: String
    /// The file as mapped (nil when there is none, or it is not ours), unmapped when neither
    /// the store nor an entry read in place (`loadMapped`) holds it any more.
    var mapping: Mapping?
    var mapped: UnsafeRawBufferPointer? { mapping?.bytes }
    var rows = 0
    var tailStart = 0
    /// Entries appended after the table, newest last.
    var tail: [Slot: Range<Int>] = [:]
    /// This run's entries, kept as they came (copied once, when written; those saved with
    /// their encoding, encoded then).
    var added: [Added] = []
    var addedBytes = 0
    /// Entries looked up in this run: what a rewrite past the limits keeps.
    var used: Set<Slot> = []
    /// The file as this run found it, or last left it: what the next write may append to
    /// (never after a damaged tail: `intact` says it read to its end).
    var onDisk = OnDisk(size: 0, tailCount: 0, intact: false)
    /// A write started on another thread by `flushSoon`, with the entries it writes.
    var pending: (write: BackgroundWrite, entries: [Added])?

    typealias Entry = (slot: Slot, payload: [UInt8])

    /// An entry of this run: its bytes, or how to make them.
    struct Added: Sendable {
        let slot: Slot
        let bytes: [UInt8]?
        let encode: (@Sendable () -> [UInt8])?

        var entry: Entry { (slot, bytes ?? encode!()) }
    }

    struct OnDisk {
        var size: Int
        var tailCount: Int
        var intact: Bool
    }

    /// The cache file under `directory` (the common git dir), mapped when it is there.
    public init(directory: String) {
        path = directory + "/exo-guard/parse-cache"
        open()
    }

    /// Maps the file and reads its header and tail; anything malformed reads as no file.
    func open() {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) >= Self.headerSize, Int(st.st_size) <= Self.maxBytes * 2,
            let base = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED
        else { return }
        let file = UnsafeRawBufferPointer(start: base, count: Int(st.st_size))
        mapping = Mapping(file)
        guard file.starts(with: Self.magic), u32(Self.magic.count) == Self.format else { return }
        let rows = Int(u32(Self.magic.count + 4))
        let tailStart = Int(u32(Self.magic.count + 8))
        guard rows <= (file.count - Self.headerSize) / Self.rowSize,
            Self.headerSize + rows * Self.rowSize <= tailStart, tailStart <= file.count
        else { return }
        self.rows = rows
        self.tailStart = tailStart
        var at = tailStart
        var count = 0
        while file.count - at >= 25 {
            let length = Int(u32(at + 21))
            guard length <= file.count - at - 25 else { break }
            tail[Slot(kind: file[at + 20], key: CacheKey(UnsafeRawBufferPointer(rebasing: file[at..<(at + 20)])))] =
                (at + 25)..<(at + 25 + length)
            count += 1
            at += 25 + length
        }
        onDisk = OnDisk(size: file.count, tailCount: count, intact: at == file.count)
    }

    func u32(_ at: Int) -> UInt32 {
        guard let m = mapped else { return 0 }
        return UInt32(m[at]) | UInt32(m[at + 1]) << 8 | UInt32(m[at + 2]) << 16 | UInt32(m[at + 3]) << 24
    }

    /// The payload kept for `key` as `kind`; nil when there is none.
    public func load(_ kind: CacheEntryKind, _ key: CacheKey) -> ArraySlice<UInt8>? {
        guard let file = mapped else { return nil }
        let slot = Slot(kind: kind.rawValue, key: key)
        guard let range = tail[slot] ?? row(slot) else { return nil }
        used.insert(slot)
        // Copied with one memcpy (a generic copy of the slice went byte by byte).
        return MappedBytes.copy(UnsafeRawBufferPointer(rebasing: file[range]))[...]
    }

    /// The payload kept for `key` as `kind`, where it lies in the mapped file: read in place,
    /// not copied (a warm commit checks a large repository's folders, megabytes, and decodes
    /// few of them); nil when there is none.
    public func loadMapped(_ kind: CacheEntryKind, _ key: CacheKey) -> MappedBytes? {
        guard let mapping else { return nil }
        let slot = Slot(kind: kind.rawValue, key: key)
        guard let range = tail[slot] ?? row(slot) else { return nil }
        used.insert(slot)
        return MappedBytes(mapping: mapping, range: range)
    }

    /// The payload of `slot` in the sorted table, by binary search.
    func row(_ slot: Slot) -> Range<Int>? {
        guard let file = mapped, rows > 0 else { return nil }
        let probe = slot.key.bytes + [slot.kind]
        return probe.withUnsafeBytes { p -> Range<Int>? in
            func compare(_ row: Int) -> Int32 {
                memcmp(file.baseAddress! + Self.headerSize + row * Self.rowSize, p.baseAddress!, 21)
            }
            let row = partitionPoint(0..<rows) { compare($0) >= 0 }
            guard row < rows, compare(row) == 0 else { return nil }
            let at = Self.headerSize + row * Self.rowSize
            let offset = Int(u32(at + 24))
            let length = Int(u32(at + 28))
            let tableEnd = Self.headerSize + rows * Self.rowSize
            guard offset >= tableEnd, length <= tailStart - offset else { return nil }
            return offset..<(offset + length)
        }
    }

    /// Keeps `payload` for `key` as `kind`, written at the next flush.
    public func save(_ kind: CacheEntryKind, _ key: CacheKey, _ payload: [UInt8]) {
        added.append(Added(slot: Slot(kind: kind.rawValue, key: key), bytes: payload, encode: nil))
        addedBytes += 25 + payload.count
    }

    /// Keeps the payload `encoding` makes, made only when the file is written.
    public func save(_ kind: CacheEntryKind, _ key: CacheKey, encoding: @escaping @Sendable () -> [UInt8]) {
        added.append(Added(slot: Slot(kind: kind.rawValue, key: key), bytes: nil, encode: encoding))
    }

    /// Keeps the payload `encoding` starts making now, on another thread; the write waits
    /// for it (a commit's new view, encoded while the hook compares and admits).
    public func save(_ kind: CacheEntryKind, _ key: CacheKey, encodingAside encoding: @escaping @Sendable () -> [UInt8]) {
        let made = Background(encoding)
        added.append(Added(slot: Slot(kind: kind.rawValue, key: key), bytes: nil, encode: { made.wait() }))
    }

    /// Appends this run's entries to the file in one write; a file with a long tail, past
    /// its limits, missing, or not the one this run read, is written anew.
    public func flush() {
        var written: [Entry] = []
        if let pending {
            self.pending = nil
            if let (state, entries) = pending.write.wait() {
                onDisk = state
                written = entries  // on disk, though not in the mapped file
            } else {
                added = pending.entries + added
            }
        }
        guard !added.isEmpty else { return }
        let entries = added
        added.removeAll()
        addedBytes = 0
        if let (state, _) = write(entries, over: onDisk, used: used, written: written) { onDisk = state }
    }

    /// Starts writing this run's entries so far on another thread, when they are many (a
    /// run with no cache to start from), so that the write, and the encoding of the
    /// entries saved with theirs, overlaps the work still to do; `flush` waits for it and
    /// appends what came after. Few entries wait for `flush`.
    public func flushSoon() {
        guard pending == nil, addedBytes >= Self.backgroundBytes else { return }
        let entries = added
        let over = onDisk
        let used = used
        added.removeAll()
        addedBytes = 0
        pending = (BackgroundWrite { [self] in write(entries, over: over, used: used, written: []) }, entries)
    }

    /// Below this many bytes of entries, a write on another thread saves less than it costs.
    static let backgroundBytes = 256 << 10

    /// Writes `added` to the file left as `over`: appended when it is still that file and
    /// within its limits, else everything sorted anew, with the entries this run `written`
    /// before (which the mapped file does not hold). Returns the file as written and the
    /// entries' bytes, or nil. Reads only what `open` set, so it may run while the run goes on.
    func write(_ added: [Added], over: OnDisk, used: Set<Slot>, written: [Entry]) -> (OnDisk, [Entry])? {
        let entries = added.map(\.entry)
        let bytes = entries.reduce(0) { $0 + 25 + $1.payload.count }
        let directory = String(path[..<path.lastIndex(of: "/")!])
        mkdir(directory, 0o755)
        if over.intact && over.tailCount + entries.count <= Self.maxTail && over.size + bytes <= Self.maxBytes {
            let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
            if fd >= 0 {
                // Appends only to the file this run read or wrote: one replaced meanwhile is rewritten.
                var st = stat()
                let same = fstat(fd, &st) == 0 && Int(st.st_size) == over.size
                var tail: [UInt8] = []
                tail.reserveCapacity(bytes)
                for (slot, payload) in entries {
                    slot.key.append(to: &tail)
                    tail.append(slot.kind)
                    LittleEndian.u32(UInt32(payload.count), into: &tail)
                    tail += payload
                }
                let done = same && Self.write(fd, tail)
                close(fd)
                if done {
                    return (
                        OnDisk(size: over.size + tail.count, tailCount: over.tailCount + entries.count, intact: true), entries
                    )
                }
            }
        }
        return rewrite(written + entries, used: used).map { ($0, entries) }
    }
}
