import CZlib
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the beginning of a blob straight from git's object files: a pack's index and data
/// (mapped), or a loose object, inflated only until the caller has enough (a document's
/// frontmatter is decided by its first lines; its body is most of its bytes). With no cache,
/// inflating whole blobs is most of a hook's work; this is what makes it follow the
/// frontmatter instead.
///
/// Only what is plain is read here: an undeltified blob in a version-2 pack index, or a
/// loose blob, in the object folders of the repository (its own, the quarantine's, the
/// alternates the environment names). Anything else — a delta, an object this reader cannot
/// find, a damaged file — answers nil, and the caller reads the object through libgit2,
/// which reports what is wrong. Each reading thread makes its own.
package final class BlobPrefixReader {
    /// A pack's index (version 2) and data (version 2 or 3), as mapped: not owned.
    package struct Pack {
        let index: UnsafeRawBufferPointer
        let data: UnsafeRawBufferPointer
        package let count: Int

        /// Nil when either is not of a version this reader knows, or too short for what
        /// its header announces.
        package init?(index: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) {
            // Index version 2: magic, version, fan-out; pack: "PACK", version 2 or 3.
            guard index.count >= 8 + 1024 + 40, index.starts(with: [0xFF, 0x74, 0x4F, 0x63]),
                BlobPrefixReader.be32(index, 4) == 2, data.count >= 12 + 20, data.starts(with: Array("PACK".utf8)),
                [2, 3].contains(BlobPrefixReader.be32(data, 4))
            else { return nil }
            let count = Int(BlobPrefixReader.be32(index, 8 + 255 * 4))
            guard index.count >= 8 + 1024 + count * 28 + 40 else { return nil }
            (self.index, self.data, self.count) = (index, data, count)
        }

        /// The name of the `i`th object of the index.
        package func name(_ i: Int) -> [UInt8] {
            Array(UnsafeRawBufferPointer(rebasing: index[(8 + 1024 + i * 20)..<(8 + 1024 + i * 20 + 20)]))
        }
    }

    private let packs: [Pack]
    private let directories: [String]

    /// A reader of the packs in `directories` (object folders, searched in order).
    init(directories: [String]) {
        self.directories = directories
        var packs: [Pack] = []
        for dir in directories {
            guard let folder = opendir(dir + "/pack") else { continue }
            var names: [String] = []
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name.hasSuffix(".idx") { names.append(String(name.dropLast(4))) }
            }
            closedir(folder)
            for name in names.sorted() {
                let base = dir + "/pack/" + name
                guard let index = Self.map(base + ".idx") else { continue }
                guard let data = Self.map(base + ".pack") else {
                    Self.unmap(index)
                    continue
                }
                guard let pack = Pack(index: index, data: data) else {
                    Self.unmap(index)
                    Self.unmap(data)
                    continue
                }
                packs.append(pack)
            }
        }
        self.packs = packs
    }

    deinit {
        for p in packs {
            Self.unmap(p.index)
            Self.unmap(p.data)
        }
    }

    /// The first bytes of blob `id`: as many as `enough` needs, or all of them; nil when this
    /// reader does not read that object (the caller then reads it whole through libgit2),
    /// or when more than `maxSize` bytes would have to be read (a blob of any size is read
    /// while `enough` is decided within its first `maxSize` bytes).
    func read(_ id: CacheKey, maxSize: Int, enough: ([UInt8]) -> Bool) -> [UInt8]? {
        let raw = id.bytes
        for pack in packs {
            guard let offset = Self.find(raw, in: pack) else { continue }
            return Self.readPacked(pack, at: offset, maxSize: maxSize, enough: enough)
        }
        return readLoose(id, maxSize: maxSize, enough: enough)
    }

    /// The offset of an object in a pack, by the fan-out table and a binary search.
    package static func find(_ id: [UInt8], in pack: Pack) -> Int? {
        let idx = pack.index
        let first = Int(id[0])
        let lo = first == 0 ? 0 : Int(Self.be32(idx, 8 + (first - 1) * 4))
        let hi = Int(Self.be32(idx, 8 + first * 4))
        guard lo <= hi, hi <= pack.count else { return nil }
        let names = 8 + 1024
        let found: Int? = id.withUnsafeBytes { key in
            let i = partitionPoint(lo..<hi) { memcmp(idx.baseAddress! + names + $0 * 20, key.baseAddress!, 20) >= 0 }
            return i < hi && memcmp(idx.baseAddress! + names + i * 20, key.baseAddress!, 20) == 0 ? i : nil
        }
        guard let i = found else { return nil }
        let offsets = names + pack.count * 24
        let small = Self.be32(idx, offsets + i * 4)
        if small & 0x8000_0000 == 0 { return Int(small) }
        let large = offsets + pack.count * 4 + Int(small & 0x7FFF_FFFF) * 8
        guard large + 8 <= idx.count - 40 else { return nil }
        let value = UInt64(Self.be32(idx, large)) << 32 | UInt64(Self.be32(idx, large + 4))
        return value < UInt64(Int.max) ? Int(value) : nil
    }

    /// A pack entry: type and size in a variable-length header, then the zlib stream.
    package static func readPacked(_ pack: Pack, at offset: Int, maxSize: Int, enough: ([UInt8]) -> Bool) -> [UInt8]? {
        let data = pack.data
        let end = data.count - 20
        guard offset >= 12, offset < end else { return nil }
        var p = offset
        var byte = data[p]
        p += 1
        let type = (byte >> 4) & 7
        var size = Int(byte & 15)
        var shift = 4
        while byte & 0x80 != 0 {
            guard p < end, shift < 60 else { return nil }
            byte = data[p]
            p += 1
            size |= Int(byte & 0x7F) << shift
            shift += 7
        }
        guard type == 3 else { return nil }  // a blob, not a delta
        return inflate(UnsafeRawBufferPointer(rebasing: data[p..<end]), size: size, maxSize: maxSize, enough: enough)
    }

    /// A loose object: the zlib stream of `blob <size>\0<bytes>`. A small file is read into
    /// memory with one read; a large one is mapped. (Mapping costs an unmap, and on a
    /// process with reading threads every unmap interrupts them all: with thousands of small
    /// loose objects, as a server that received pushes holds, that was a tenth of a hook.)
    private func readLoose(_ id: CacheKey, maxSize: Int, enough: ([UInt8]) -> Bool) -> [UInt8]? {
        let hex = id.hex
        for dir in directories {
            let path = dir + "/" + hex.prefix(2) + "/" + hex.dropFirst(2)
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
            if st.st_size > Self.readWhole {
                guard let file = Self.map(path) else { return nil }
                defer { Self.unmap(file) }
                return Self.inflate(file, size: nil, maxSize: maxSize, enough: enough)
            }
            var buffer = [UInt8](repeating: 0, count: Int(st.st_size))
            let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard got == buffer.count else { return nil }
            return buffer.withUnsafeBytes { Self.inflate($0, size: nil, maxSize: maxSize, enough: enough) }
        }
        return nil
    }

    /// Loose objects up to this size are read, larger ones mapped.
    static let readWhole = 256 << 10

    /// Inflates `stream` and returns the blob's bytes: all `size` of them, or a prefix of
    /// them `enough` accepts. A loose object (`size` nil) starts with its header, "blob", a
    /// space, the size in decimal and a NUL, read from the same stream. Nil for a damaged
    /// stream, another kind of object, one larger than `maxSize`, or one of another size
    /// than announced.
    package static func inflate(
        _ stream: UnsafeRawBufferPointer, size known: Int?, maxSize: Int,
        enough: ([UInt8]) -> Bool
    ) -> [UInt8]? {
        // The zlib header (deflate, no preset dictionary) is checked and stepped over, and the
        // deflate data inflated raw: git verified every object it stored, by its hash, so the
        // stream's Adler-32 (computed over every byte inflated) is not checked again.
        guard stream.count > 2, stream[0] & 0x0F == 8, stream[0] >> 4 <= 7, stream[1] & 0x20 == 0,
            (UInt16(stream[0]) << 8 | UInt16(stream[1])) % 31 == 0
        else { return nil }
        var z = z_stream()
        guard czlib_inflate_init_raw(&z) == Z_OK else { return nil }
        defer { inflateEnd(&z) }
        z.next_in = UnsafeMutablePointer(mutating: stream.baseAddress!.assumingMemoryBound(to: UInt8.self) + 2)
        z.avail_in = UInt32(clamping: stream.count - 2)
        var skipping = known == nil ? -1 : 0  // -1: the header is still to come
        var total = known ?? Int.max
        // What is read before `enough` is asked (`chunk`; a short blob all at once), and, for
        // the chunk that ends the blob, room past it: zlib decodes in its fast loop only while
        // 258 bytes of output space are left, so a buffer of just a short document's size went
        // through its slow loop byte by byte. A chunk short of the end gets no room: zlib
        // would fill it, reading further into a long body than asked.
        var chunk = total <= 512 + Self.slack ? total : 512
        var out = [UInt8](repeating: 0, count: chunk + (chunk == total ? Self.slack : 0))
        var produced = 0
        while true {
            let status: Int32 = out.withUnsafeMutableBufferPointer { buffer in
                z.next_out = buffer.baseAddress! + produced
                z.avail_out = UInt32(buffer.count - produced)
                // Z_FINISH: all the input is given, so a stream that ends within the
                // space given is inflated without the 32 KiB window zlib otherwise allocates
                // and copies every byte into; one that does not goes on as with Z_NO_FLUSH.
                let s = CZlib.inflate(&z, Z_FINISH)
                produced = buffer.count - Int(z.avail_out)
                return s
            }
            if skipping < 0 {
                guard let nul = out[0..<min(produced, 64)].firstIndex(of: 0) else {
                    if produced >= 64 || status != Z_OK { return nil }
                    continue
                }
                guard out.starts(with: Self.blobHeader), let size = Int(String(decoding: out[5..<nul], as: UTF8.self)),
                    size >= 0
                else { return nil }
                skipping = nul + 1
                total = skipping + size
                guard produced <= total else { return nil }
                chunk = min(chunk, total)
            }
            // A stream longer than announced is read as far as announced, as before the room.
            if produced >= total || status == Z_STREAM_END {
                return produced >= total ? Array(out[skipping..<total]) : nil
            }
            guard status == Z_OK || (status == Z_BUF_ERROR && produced == out.count) else { return nil }
            if produced >= chunk {
                if produced > skipping && enough(Array(out[skipping..<produced])) { return Array(out[skipping..<produced]) }
                if produced - max(skipping, 0) >= maxSize { return nil }  // read no further than the limit
                chunk = min(total, chunk * 4)  // more than `produced`
                out += [UInt8](repeating: 0, count: max(0, chunk + (chunk == total ? Self.slack : 0) - out.count))
            }
        }
    }

    private static let blobHeader = Array("blob ".utf8)

    /// Output room zlib's fast loop needs (its longest match, 258 bytes).
    static let slack = 258

    static func be32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    private static func map(_ path: String) -> UnsafeRawBufferPointer? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0, let base = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0),
            base != MAP_FAILED
        else { return nil }
        return UnsafeRawBufferPointer(start: base, count: Int(st.st_size))
    }

    private static func unmap(_ b: UnsafeRawBufferPointer) {
        munmap(UnsafeMutableRawPointer(mutating: b.baseAddress), b.count)
    }
}
