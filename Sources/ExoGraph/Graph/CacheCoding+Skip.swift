import Dispatch
import ExoModel
import ExoStore
import Synchronization

extension CacheCoding {
    /// Passes over a kept folder's documents as `Reader` would read them, without making
    /// them, on the bytes themselves: a hook that takes a repository's folders from the
    /// cache checks every one, and decodes only those it asks of. Every check is `Reader`'s
    /// (lengths against the bytes left, counts of at least one byte per item, strings valid
    /// UTF-8, values well formed to the same depth, a map's keys all different), so that
    /// what passes decodes.
    struct Skipper {
        private let raw: UnsafeBufferPointer<UInt8>
        private let bytes: ArraySlice<UInt8>?
        private(set) var at = 0
        private var depth = 0
        /// Whether a map was met over bytes with no `ArraySlice` of them to read it with.
        private(set) var metMap = false

        /// Over `raw`, the bytes of `bytes` (whose `Reader` reads a map; none: bytes read in
        /// place, where a map fails the check and says so in `metMap`).
        init(_ raw: UnsafeBufferPointer<UInt8>, of bytes: ArraySlice<UInt8>?) {
            self.raw = raw
            self.bytes = bytes
        }

        /// A folder's documents (`CacheCoding.documents`): how many, where they end, and
        /// their ids' filter; nil when malformed.
        mutating func documents() -> (count: Int, end: Int, ids: IDFilter)? {
            guard let n = count() else { return nil }
            var ids = IDFilter(count: n)
            for _ in 0..<n {
                guard string(noting: &ids), string(), optional(), optional(), let t = count() else { return nil }
                for _ in 0..<t where !string() { return nil }
            }
            return (n, at, ids)
        }

        /// A folder's subfolders' keys, which end the entry; nil when malformed.
        mutating func children() -> [CacheKey]? {
            guard let c = count(), c <= (raw.count - at) / 20 else { return nil }
            var keys: [CacheKey] = []
            keys.reserveCapacity(c)
            for _ in 0..<c {
                keys.append(CacheKey(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: raw[at..<(at + 20)]))))
                at += 20
            }
            return at == raw.count ? keys : nil
        }

        /// `Reader.count()`.
        mutating func count() -> Int? {
            guard raw.count - at >= 4 else { return nil }
            let n = Int(raw[at]) | Int(raw[at + 1]) << 8 | Int(raw[at + 2]) << 16 | Int(raw[at + 3]) << 24
            at += 4
            return n <= raw.count - at ? n : nil
        }

        /// `Reader.string()`, noted in `ids` when given.
        mutating func string(noting ids: UnsafeMutablePointer<IDFilter>? = nil) -> Bool {
            guard let n = count() else { return false }
            let s = UnsafeBufferPointer(rebasing: raw[at..<(at + n)])
            at += n
            ids?.pointee.insert(s)
            return RawBytes.isUTF8(s)
        }

        /// `Reader.optional()`.
        mutating func optional() -> Bool {
            guard at < raw.count else { return false }
            if raw[at] == 0xFF {
                at += 1
                return true
            }
            return value()
        }

        /// `Reader.value()`.
        mutating func value() -> Bool {
            guard depth < 64, at < raw.count else { return false }
            let tag = raw[at]
            if tag == 7 {
                // A map: its keys compared as `Reader` compares them.
                guard let bytes else {
                    metMap = true
                    return false
                }
                var r = Reader(bytes, at: bytes.startIndex + at, depth: depth)
                guard r.value() != nil else { return false }
                at = r.position - bytes.startIndex
                return true
            }
            at += 1
            depth += 1
            defer { depth -= 1 }
            switch tag {
            case 0, 1, 2: return true
            case 3, 5: return string()
            case 4:
                guard raw.count - at >= 8 else { return false }
                at += 8
                return true
            case 6:
                guard let n = count() else { return false }
                for _ in 0..<n where !value() { return false }
                return true
            default: return false
            }
        }
    }
}

extension CacheCoding {
    /// Past this many bytes at once, folders are checked on every core.
    static let checkedTogetherBytes = 64 << 10

    /// A folder's entry read in place in the mapped cache file: checked as `subtreeShape`
    /// checks a copy, its documents left where they lie until asked for. An entry with a
    /// map among its values is copied and checked as a copy (`Reader` reads maps).
    package static func subtreeShape(_ payload: MappedBytes) -> (files: KeptFiles, children: [CacheKey])? {
        var metMap = false
        let checked = payload.withBytes { raw -> (count: Int, end: Int, ids: IDFilter, children: [CacheKey])? in
            var s = Skipper(raw, of: nil)
            guard let found = s.documents() else {
                metMap = s.metMap
                return nil
            }
            guard let children = s.children() else { return nil }
            return (found.count, found.end, found.ids, children)
        }
        if metMap { return subtreeShape(payload.copied()) }
        guard let checked else { return nil }
        let files = KeptFiles(source: .mapped(payload.part(4..<checked.end)), count: checked.count, ids: checked.ids)
        return (files, checked.children)
    }

    /// A folder's entry, copied or read in place.
    enum Payload: Sendable {
        case bytes(ArraySlice<UInt8>)
        case mapped(MappedBytes)

        var count: Int {
            switch self {
            case .bytes(let b): b.count
            case .mapped(let m): m.count
            }
        }

        var shape: (files: KeptFiles, children: [CacheKey])? {
            switch self {
            case .bytes(let b): subtreeShape(b)
            case .mapped(let m): subtreeShape(m)
            }
        }
    }

    /// `subtreeShape` of each payload, in order: on every core when there are several and
    /// enough bytes (a warm commit checks a large repository's folders, a megabyte or more,
    /// before it asks of any).
    static func subtreeShapes(_ payloads: [Payload]) -> [(files: KeptFiles, children: [CacheKey])?] {
        guard payloads.count > 1, payloads.reduce(0, { $0 + $1.count }) >= checkedTogetherBytes else {
            return payloads.map(\.shape)
        }
        let shapes = Mutex([(files: KeptFiles, children: [CacheKey])?](repeating: nil, count: payloads.count))
        DispatchQueue.concurrentPerform(iterations: payloads.count) { i in
            let shape = payloads[i].shape
            shapes.withLock { $0[i] = shape }
        }
        Probe.checkedTogether.hit(payloads.count)
        return shapes.withLock { $0 }
    }
}
