import ExoModel

/// Names numbered in the order they first come, for an entry that writes each name once (a
/// kept view's).
struct NameTable {
    private(set) var names: [String]
    private var index: [Exact: UInt32] = [:]
    /// Numbers by a string's own two words, asked first: equal words are equal strings (a
    /// small string holds its bytes in them, a large one the storage it shares with its
    /// copies), so a name met again as a copy of the same string (ten thousand pairs name
    /// the same few thousand strings) is numbered without hashing its bytes. Different words
    /// say nothing: the bytes decide.
    private var byWords = WordsTable()
    /// The strings `byWords` is keyed by, held so that no storage is freed and reused by
    /// another string while its words are a key.
    private var held: [String] = []

    struct Words: Equatable {
        let low: UInt64
        let high: UInt64

        init(_ s: String) { (low, high) = unsafeBitCast(s, to: (UInt64, UInt64).self) }
    }

    /// Numbers by words, in one open-addressed table with a multiplicative hash: a lookup
    /// costs a few instructions, where `Hasher` costs a few hundred.
    struct WordsTable {
        private var keys: [Words?] = Array(repeating: nil, count: 64)
        private var values: [UInt32] = Array(repeating: 0, count: 64)
        private var count = 0

        private func slot(_ w: Words) -> Int {
            let h = (w.low ^ (w.high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
            return Int(truncatingIfNeeded: h >> 32) & (keys.count - 1)
        }

        subscript(_ w: Words) -> UInt32? {
            get {
                var i = slot(w)
                while let k = keys[i] {
                    if k == w { return values[i] }
                    i = (i + 1) & (keys.count - 1)
                }
                return nil
            }
            set {
                guard let newValue else { return }
                if (count + 1) * 2 > keys.count { grow() }
                var i = slot(w)
                while let k = keys[i], k != w { i = (i + 1) & (keys.count - 1) }
                if keys[i] == nil { count += 1 }
                keys[i] = w
                values[i] = newValue
            }
        }

        private mutating func grow() {
            let old = zip(keys, values)
            keys = Array(repeating: nil, count: keys.count * 2)
            values = Array(repeating: 0, count: keys.count)
            count = 0
            for (k, v) in old { if let k { self[k] = v } }
        }
    }

    /// A table that starts with `prefix`, numbered 0 on (a repeated name keeps its first number).
    init(prefix: [String] = []) {
        names = prefix
        index.reserveCapacity(prefix.count * 2)
        for (i, name) in prefix.enumerated() where index[Exact(name)] == nil {
            index[Exact(name)] = UInt32(i)
            byWords[Words(name)] = UInt32(i)
        }
    }

    /// The number of `name`, given the next one when it is new.
    mutating func number(_ name: String) -> UInt32 {
        let words = Words(name)
        if let n = byWords[words] { return n }
        let n: UInt32
        if let known = index[Exact(name)] {
            n = known
        } else {
            n = UInt32(names.count)
            names.append(name)
            index[Exact(name)] = n
        }
        byWords[words] = n
        held.append(name)
        return n
    }
}
