#if canImport(Glibc)
    import Glibc
#endif

/// 20 bytes that name content: a git object id, or the digest of a cached result's inputs.
public struct CacheKey: Hashable, Sendable {
    let a: UInt64, b: UInt64, c: UInt32

    /// The key of the first 20 bytes of `raw`.
    public init(_ raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 20)
        func word(_ from: Int, _ n: Int) -> UInt64 {
            var w: UInt64 = 0
            for k in 0..<n { w = w << 8 | UInt64(raw[from + k]) }
            return w
        }
        a = word(0, 8)
        b = word(8, 8)
        c = UInt32(word(16, 4))
    }

    /// The key of exactly 20 bytes; nil for any other length.
    public init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count == 20 else { return nil }
        self = bytes.withUnsafeBytes { CacheKey($0) }
    }

    /// The 20 bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(20)
        append(to: &out)
        return out
    }

    /// Writes the 20 bytes at the start of `out` (at least 20 bytes long).
    public func copyBytes(to out: UnsafeMutableRawBufferPointer) {
        precondition(out.count >= 20)
        out.storeBytes(of: a.bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: b.bigEndian, toByteOffset: 8, as: UInt64.self)
        out.storeBytes(of: c.bigEndian, toByteOffset: 16, as: UInt32.self)
    }

    /// Appends the 20 bytes to `out` (as `copyBytes` writes them).
    public func append(to out: inout [UInt8]) {
        let end = out.count
        out.append(contentsOf: repeatElement(0, count: 20))
        out.withUnsafeMutableBytes { copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: $0[end...])) }
    }

    /// 40 lowercase hex digits (written straight from the key's words: a loose object's
    /// path is made of them for each of the tens of thousands a first push reads).
    public var hex: String {
        String(unsafeUninitializedCapacity: 40) { out in
            func put(_ word: UInt64, bytes: Int, at start: Int) {
                for k in 0..<bytes {
                    let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(bytes - 1 - k)))
                    out[start + 2 * k] = Self.digit(byte >> 4)
                    out[start + 2 * k + 1] = Self.digit(byte & 15)
                }
            }
            put(a, bytes: 8, at: 0)
            put(b, bytes: 8, at: 16)
            put(UInt64(c), bytes: 4, at: 32)
            return 40
        }
    }

    /// Any bytes as lowercase hex digits (for digests made of byte forms).
    public static func hex(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, byte) in bytes.enumerated() {
                out[2 * i] = digit(byte >> 4)
                out[2 * i + 1] = digit(byte & 15)
            }
            return bytes.count * 2
        }
    }

    /// The lowercase hex digit of a number below 16.
    @inline(__always) static func digit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") - 10 + v }
}

/// What a cache entry holds; the kind is stored with it, so an entry is only ever read back
/// as what it was written as.
public enum CacheEntryKind: UInt8, Sendable {
    case fields = 1
    case subtree = 2
    case roots = 3
    /// A view's active items, conflicts and the active items' targets, numbered into a
    /// table of names (4 held the pairs written out, 9 the pairs numbered but no targets;
    /// neither is read).
    case coordination = 10
    case flights = 5
    case commitTime = 6
    case crossState = 7
    case successors = 8
}

/// A place cached results survive between runs.
public protocol ParseStore: AnyObject {
    func load(_ kind: CacheEntryKind, _ key: CacheKey) -> ArraySlice<UInt8>?
    /// The same read in place, when the store can (a mapped file); nil otherwise.
    func loadMapped(_ kind: CacheEntryKind, _ key: CacheKey) -> MappedBytes?
    func save(_ kind: CacheEntryKind, _ key: CacheKey, _ payload: [UInt8])
    /// Keeps an entry whose bytes `encoding` makes when they are written.
    func save(_ kind: CacheEntryKind, _ key: CacheKey, encoding: @escaping @Sendable () -> [UInt8])
    /// Keeps an entry whose bytes `encoding` starts making now, on another thread, while the
    /// run goes on; the write waits for them.
    func save(_ kind: CacheEntryKind, _ key: CacheKey, encodingAside encoding: @escaping @Sendable () -> [UInt8])
    func flush()
    func flushSoon()
}

/// Little-endian numbers, as every cached entry and the store's own table write them.
public enum LittleEndian {
    /// Appends `v` as 4 bytes, least significant first.
    public static func u32(_ v: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: v))
        out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16))
        out.append(UInt8(truncatingIfNeeded: v >> 24))
    }
}

extension ParseStore {
    /// None: a store that is not a mapped file copies every entry (`load`).
    public func loadMapped(_ kind: CacheEntryKind, _ key: CacheKey) -> MappedBytes? { nil }

    /// The entry's bytes made when written, as `save(_:_:encoding:)` makes them.
    public func save(_ kind: CacheEntryKind, _ key: CacheKey, encodingAside encoding: @escaping @Sendable () -> [UInt8]) {
        save(kind, key, encoding: encoding)
    }
}

/// A file mapped read-only, unmapped when the last holder lets it go.
public final class Mapping: @unchecked Sendable {
    /// The mapped bytes, read-only.
    public let bytes: UnsafeRawBufferPointer

    /// Takes over `bytes`, as `mmap` returned them.
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}

/// Bytes of a mapped file, read in place; the mapping stays while they are held.
public struct MappedBytes: Sendable {
    let mapping: Mapping
    let range: Range<Int>

    /// How many bytes.
    public var count: Int { range.count }

    /// `body` over the bytes, in place.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let raw = UnsafeRawBufferPointer(rebasing: mapping.bytes[range])
        return try body(raw.bindMemory(to: UInt8.self))
    }

    /// The bytes at `offsets` (from the first of these bytes), still in place.
    public func part(_ offsets: Range<Int>) -> MappedBytes {
        precondition(offsets.lowerBound >= 0 && offsets.upperBound <= range.count)
        let start = range.lowerBound
        return MappedBytes(mapping: mapping, range: (start + offsets.lowerBound)..<(start + offsets.upperBound))
    }

    /// The bytes from `offset` on (or up to `end`), copied.
    public func copied(from offset: Int = 0, to end: Int? = nil) -> ArraySlice<UInt8> {
        let part = (range.lowerBound + offset)..<(end.map { range.lowerBound + $0 } ?? range.upperBound)
        return Self.copy(UnsafeRawBufferPointer(rebasing: mapping.bytes[part]))[...]
    }

    /// `bytes` copied with one memcpy.
    public static func copy(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { out, count in
            if let from = bytes.baseAddress, !bytes.isEmpty {
                out.baseAddress!.initialize(from: from.assumingMemoryBound(to: UInt8.self), count: bytes.count)
            }
            count = bytes.count
        }
    }
}
