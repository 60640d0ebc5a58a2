#if canImport(Glibc)
import Glibc
#endif

/// Parsed frontmatter kept between runs, keyed by blob id, in `<common git dir>/exo-guard/`,
/// so that a hook's cost follows the size of the change rather than of the repository.
///
/// Safe to delete. Trusted for nothing but parse results: a blob id names its bytes, and
/// the fields of a blob depend on its bytes alone. A cache that is corrupt, truncated, or
/// written by another format version is ignored and rebuilt. Written to a temporary file
/// and renamed, so a reader never sees half of one; two writers at once lose at most
/// entries, never consistency. Turned off by `EXO_GUARD_CACHE=0` or git config `exo.cache false`.
public final class DiskParseStore: ParseStore {
    static let magic = Array("exo-guard parse cache\n".utf8)
    static let format: UInt32 = 1
    /// Past this many entries the oldest are dropped when the file is written again.
    static let maxEntries = 400_000

    let path: String
    private var data: [UInt8] = []
    private var index: [String: Range<Int>] = [:]
    private var order: [String] = []
    private var added: [(String, [UInt8])] = []

    public init(directory: String) {
        path = directory + "/exo-guard/parse-cache"
        load()
    }

    /// The store for a repository, or nil when turned off.
    public static func forRepository(_ repository: Repository) -> DiskParseStore? {
        if repository.environment["EXO_GUARD_CACHE"] == "0" { return nil }
        if let config = try? repository.config(), let v = config.string("exo.cache")?.lowercased(),
           ["false", "no", "off", "0"].contains(v) { return nil }
        return DiskParseStore(directory: repository.commonDir)
    }

    private func load() {
        guard let bytes = try? FileSystemSnapshot().read(String(path.dropFirst())),
              bytes.count >= Self.magic.count + 4, bytes.starts(with: Self.magic) else { return }
        var r = Reader(bytes: bytes, position: Self.magic.count)
        guard r.u32() == Self.format else { return }
        var index: [String: Range<Int>] = [:]
        var order: [String] = []
        while r.position < bytes.count {
            guard let key = r.bytes(20), let length = r.u32(), r.position + Int(length) <= bytes.count else { return }
            let hex = Self.hex(key)
            if index[hex] == nil { order.append(hex) }
            index[hex] = r.position..<(r.position + Int(length))
            r.position += Int(length)
        }
        self.data = bytes
        self.index = index
        self.order = order
    }

    public func load(_ key: String) -> Frontmatter.Fields? {
        guard let range = index[key] else { return nil }
        var r = Reader(bytes: data, position: range.lowerBound)
        guard let value = r.value(), case .map(let map) = value, r.position == range.upperBound else { return nil }
        return Frontmatter.Fields(map: map, keyLines: [:], error: nil)
    }

    public func save(_ key: String, _ fields: Frontmatter.Fields) {
        guard key.utf8.count == 40 else { return }
        var w: [UInt8] = []
        Self.encode(.map(fields.map), into: &w)
        added.append((key, w))
    }

    public func flush() {
        guard !added.isEmpty else { return }
        var out = Self.magic
        Self.u32(Self.format, into: &out)
        let keep = max(0, order.count + added.count - Self.maxEntries)
        for key in order.dropFirst(keep) {
            guard let range = index[key], let raw = Self.raw(key) else { continue }
            out += raw
            Self.u32(UInt32(range.count), into: &out)
            out += data[range]
        }
        for (key, payload) in added {
            guard let raw = Self.raw(key) else { continue }
            out += raw
            Self.u32(UInt32(payload.count), into: &out)
            out += payload
        }
        added.removeAll()
        let directory = String(path[..<path.lastIndex(of: "/")!])
        mkdir(directory, 0o755)
        let tmp = path + ".\(getpid()).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }  // a read-only repository: no cache, no error
        var done = 0
        while done < out.count {
            let n = out.withUnsafeBytes { write(fd, $0.baseAddress! + done, out.count - done) }
            if n <= 0 { break }
            done += n
        }
        close(fd)
        if done == out.count { rename(tmp, path) } else { unlink(tmp) }
    }

    // MARK: - Encoding

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func raw(_ hex: String) -> [UInt8]? {
        let u = Array(hex.utf8)
        guard u.count == 40 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            default: return nil
            }
        }
        var out: [UInt8] = []
        for i in stride(from: 0, to: 40, by: 2) {
            guard let h = nibble(u[i]), let l = nibble(u[i + 1]) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }

    static func u32(_ v: UInt32, into out: inout [UInt8]) {
        out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        u32(UInt32(s.utf8.count), into: &out)
        out += s.utf8
    }

    static func encode(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(0)
        case .bool(let b): out.append(b ? 2 : 1)
        case .int(let digits): out.append(3); string(digits, into: &out)
        case .float(let d):
            out.append(4)
            let bits = d.bitPattern
            for i in 0..<8 { out.append(UInt8(bits >> (8 * UInt64(i)) & 0xFF)) }
        case .string(let s): out.append(5); string(s, into: &out)
        case .list(let items):
            out.append(6)
            u32(UInt32(items.count), into: &out)
            for item in items { encode(item, into: &out) }
        case .map(let m):
            out.append(7)
            u32(UInt32(m.keys.count), into: &out)
            for (k, item) in m.entries { string(k, into: &out); encode(item, into: &out) }
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var position: Int
        var depth = 0

        mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, position + n <= bytes.count else { return nil }
            defer { position += n }
            return bytes[position..<(position + n)]
        }

        mutating func u32() -> UInt32? {
            guard let b = bytes(4) else { return nil }
            let a = Array(b)
            return UInt32(a[0]) | UInt32(a[1]) << 8 | UInt32(a[2]) << 16 | UInt32(a[3]) << 24
        }

        mutating func string() -> String? {
            guard let n = u32(), let b = bytes(Int(n)) else { return nil }
            return String(validating: b, as: UTF8.self)
        }

        mutating func value() -> Value? {
            guard depth < 64, let tag = bytes(1)?.first else { return nil }
            depth += 1
            defer { depth -= 1 }
            switch tag {
            case 0: return .null
            case 1: return .bool(false)
            case 2: return .bool(true)
            case 3: return string().map { .int($0) }
            case 4:
                guard let b = bytes(8) else { return nil }
                var bits: UInt64 = 0
                for (i, byte) in b.enumerated() { bits |= UInt64(byte) << (8 * UInt64(i)) }
                return .float(Double(bitPattern: bits))
            case 5: return string().map { .string($0) }
            case 6:
                guard let n = u32(), Int(n) <= bytes.count - position else { return nil }
                var items: [Value] = []
                for _ in 0..<n { guard let v = value() else { return nil }; items.append(v) }
                return .list(items)
            case 7:
                guard let n = u32(), Int(n) <= bytes.count - position else { return nil }
                var m = OrderedMap()
                for _ in 0..<n {
                    guard let k = string(), let v = value(), !m.contains(k) else { return nil }
                    m.set(k, v)
                }
                return .map(m)
            default: return nil
            }
        }
    }
}
