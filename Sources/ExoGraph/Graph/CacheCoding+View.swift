import ExoModel

extension CacheCoding {
    /// `Reader`'s numbers and counts over bytes in memory: no slice per read.
    struct RawReader {
        let raw: UnsafeBufferPointer<UInt8>
        var at = 0

        @inline(__always)
        mutating func u32() -> Int? {
            guard raw.count - at >= 4 else { return nil }
            defer { at += 4 }
            return Int(raw[at]) | Int(raw[at + 1]) << 8 | Int(raw[at + 2]) << 16 | Int(raw[at + 3]) << 24
        }

        /// A count of items, each at least one byte long (`Reader.count`).
        @inline(__always)
        mutating func count() -> Int? {
            guard let n = u32(), n <= raw.count - at else { return nil }
            return n
        }

        /// A number below `bound`.
        @inline(__always)
        mutating func index(below bound: Int) -> Int? {
            guard let i = u32(), i < bound else { return nil }
            return i
        }

        /// `Reader.string`.
        mutating func string() -> String? {
            guard let n = count() else { return nil }
            let bytes = UnsafeBufferPointer(rebasing: raw[at..<(at + n)])
            at += n
            return RawBytes.isUTF8(bytes) ? String(decoding: bytes, as: UTF8.self) : nil
        }
    }

    /// A kept view: its active items, its pairs, its active items' targets (checked, made
    /// when asked for); nil when malformed. Read on the bytes themselves, every length and
    /// number checked against what is left as `Reader` checks it: a warm commit reads ten
    /// thousand pairs here.
    package static func coordination(_ payload: ArraySlice<UInt8>)
        -> (active: [String], conflicts: [Coordination.Conflict], targets: KeptTargets)?
    {
        typealias Read = (active: Int, table: [String], conflicts: [Coordination.Conflict], targets: Range<Int>)
        let read = payload.withUnsafeBufferPointer { raw -> Read? in
            var r = RawReader(raw: raw)
            guard let activeCount = r.u32(), let t = r.count() else { return nil }
            var table: [String] = []
            table.reserveCapacity(t)
            for _ in 0..<t {
                guard let s = r.string() else { return nil }
                table.append(s)
            }
            guard activeCount <= table.count, let n = r.count() else { return nil }
            // A pair's shared targets are most often one name, and the same one for many
            // pairs (every pair of the changes on one module): one list per name, shared by
            // them all, not one made for each of 10,000 pairs.
            var single = [[String]?](repeating: nil, count: table.count)
            var conflicts: [Coordination.Conflict] = []
            conflicts.reserveCapacity(n)
            for _ in 0..<n {
                guard let a = r.index(below: table.count), let b = r.index(below: table.count), let k = r.count()
                else { return nil }
                var shared: [String]
                if k == 1 {
                    guard let i = r.index(below: table.count) else { return nil }
                    if let made = single[i] {
                        shared = made
                    } else {
                        shared = [table[i]]
                        single[i] = shared
                    }
                } else {
                    shared = []
                    shared.reserveCapacity(k)
                    for _ in 0..<k {
                        guard let i = r.index(below: table.count) else { return nil }
                        shared.append(table[i])
                    }
                }
                conflicts.append(Coordination.Conflict(a: table[a], b: table[b], shared: shared))
            }
            // The items' targets: checked here, made when asked for (`KeptTargets.decoded`).
            let start = r.at
            for _ in 0..<activeCount {
                guard let k = r.count() else { return nil }
                for _ in 0..<k where r.index(below: table.count) == nil { return nil }
            }
            return r.at == raw.count ? (activeCount, table, conflicts, start..<r.at) : nil
        }
        guard let read else { return nil }
        let base = payload.startIndex
        let targets = payload[(base + read.targets.lowerBound)..<(base + read.targets.upperBound)]
        return (
            Array(read.table[..<read.active]), read.conflicts,
            KeptTargets(bytes: targets, table: read.table, count: read.active)
        )
    }
}
