import ExoModel

/// Which ids a kept folder's documents may have, read from their bytes without making
/// them (a Bloom filter: two bits of a 64-bit FNV-1a hash per id, about eight bits per
/// document). A false "may" costs one folder decoded; a "no" is always right, so a lookup
/// of a few ids passes over the folders that cannot hold them undecoded.
package struct IDFilter: Sendable {
    private var words: [UInt64]
    private let mask: UInt64

    /// Room for `count` ids.
    package init(count: Int) {
        var bits = 64
        while bits < count * 8 { bits <<= 1 }
        words = [UInt64](repeating: 0, count: bits / 64)
        mask = UInt64(bits - 1)
    }

    /// Notes an id by its UTF-8 bytes.
    package mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>) {
        let h = Self.hash(bytes)
        let (x, y) = (h & mask, (h >> 32) & mask)
        words[Int(x >> 6)] |= 1 << (x & 63)
        words[Int(y >> 6)] |= 1 << (y & 63)
    }

    /// False only when no id noted is `id`.
    package func mayHold(_ id: Exact) -> Bool {
        var s = id.string
        let h = s.withUTF8 { Self.hash($0) }
        let (x, y) = (h & mask, (h >> 32) & mask)
        return words[Int(x >> 6)] & (1 << (x & 63)) != 0 && words[Int(y >> 6)] & (1 << (y & 63)) != 0
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        // FNV's low bits mix poorly for short strings: fold the high half in.
        return h ^ (h >> 29)
    }
}
