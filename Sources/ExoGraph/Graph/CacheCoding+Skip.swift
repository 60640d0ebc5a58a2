import ExoModel

extension CacheCoding {
    /// Passes over a kept folder's documents as `Reader` would read them, without making
    /// them, on the bytes themselves: a hook that takes a repository's folders from the
    /// cache checks every one, and decodes only those it asks of. Every check is `Reader`'s
    /// (lengths against the bytes left, counts of at least one byte per item, strings valid
    /// UTF-8, values well formed to the same depth, a map's keys all different), so that
    /// what passes decodes.
    struct Skipper {
        private let raw: UnsafeBufferPointer<UInt8>
        private let bytes: ArraySlice<UInt8>
        private(set) var at = 0
        private var depth = 0

        /// Over `raw`, the bytes of `bytes` (whose `Reader` reads a map).
        init(_ raw: UnsafeBufferPointer<UInt8>, of bytes: ArraySlice<UInt8>) {
            self.raw = raw
            self.bytes = bytes
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
            return Self.isUTF8(s)
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

        /// Whether the bytes are UTF-8: ASCII eight bytes at a time, anything else validated.
        static func isUTF8(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
            var i = 0
            if let base = s.baseAddress {
                let p = UnsafeRawPointer(base)
                while i + 8 <= s.count, p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    i += 8
                }
            }
            while i < s.count {
                if s[i] >= 0x80 { return String(validating: s, as: UTF8.self) != nil }
                i += 1
            }
            return true
        }
    }
}
