/// The split index (`core.splitIndex`): the link extension, its EWAH bitmaps, and the shared
/// index merged with the split file's replaced, deleted and added entries, as git does.
extension IndexFile {
    /// The most entries a split index may delete from its shared index: far past any real
    /// index (the Linux kernel's has about 90,000 entries).
    static let maxDeleted = 1 << 22

    /// The "link" extension: the shared index's hash, then (optionally) the delete and the
    /// replace bitmaps, EWAH-compressed.
    /// `entries`: the split file's own entries, the most the replace bitmap can name (each
    /// replacement takes one of them).
    static func splitLink(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, entries: Int) -> Link? {
        guard range.count >= 20 else { return nil }
        let shared = Array(b[range.lowerBound..<(range.lowerBound + 20)])
        var p = range.lowerBound + 20
        if p == range.upperBound { return Link(shared: shared, delete: [], replace: []) }
        guard let delete = ewah(b, &p, end: range.upperBound, maxSet: maxDeleted),
            let replace = ewah(b, &p, end: range.upperBound, maxSet: entries),
            p == range.upperBound
        else { return nil }
        return Link(shared: shared, delete: delete, replace: replace)
    }

    /// The set bits of an EWAH bitmap, ascending: its size in bits, its number of 64-bit
    /// words, the words (a run-length word, then the literal words it announces, again and
    /// again), and the position of the last run-length word.
    /// Nil past `maxSet` set bits: a bitmap of a few bytes can announce billions (a run of
    /// ones), which a damaged index must not make this reader hold.
    static func ewah(_ b: UnsafeBufferPointer<UInt8>, _ p: inout Int, end: Int, maxSet: Int = maxDeleted) -> [Int]? {
        guard end - p >= 8 else { return nil }
        let bits = Int(be32(b, p))
        let words = Int(be32(b, p + 4))
        guard words <= (end - p - 12) / 8 else { return nil }
        func word(_ i: Int) -> UInt64 { UInt64(be32(b, p + 8 + i * 8)) << 32 | UInt64(be32(b, p + 12 + i * 8)) }
        var out: [Int] = []
        var position = 0
        var i = 0
        while i < words {
            let rlw = word(i)
            i += 1
            let run = Int((rlw >> 1) & 0xFFFF_FFFF)
            let literals = Int(rlw >> 33)
            guard run <= bits / 64 + 1, literals <= words - i else { return nil }
            if rlw & 1 != 0 {
                // (Past the bitmap's size already, a run of ones adds nothing.)
                let ones = position..<max(position, min(bits, position + run * 64))
                guard out.count + ones.count <= maxSet else { return nil }
                out += ones
            }
            position += run * 64
            for _ in 0..<literals {
                let w = word(i)
                i += 1
                for k in 0..<64 where w >> UInt64(k) & 1 != 0 && position + k < bits { out.append(position + k) }
                guard out.count <= maxSet else { return nil }
                position += 64
            }
        }
        p += 12 + words * 8
        return out
    }

    /// A split index merged onto its shared index, as git does: each replaced shared entry
    /// takes the next of the split file's first entries (which have no names of their own),
    /// deleted ones go, and the split file's other entries are added in order of path and
    /// stage, one for the same path and stage taking the other's place.
    static func merge(shared: Contents, split: Contents, link: Link) -> (paths: [UInt8], entries: [Raw])? {
        var base = shared.entries
        let offset = shared.paths.count
        var replaced = 0
        for position in link.replace {
            guard position < base.count, replaced < split.entries.count, split.entries[replaced].path.isEmpty else { return nil }
            let source = split.entries[replaced]
            base[position] = Raw(
                path: base[position].path, mode: source.mode, id: source.id, stage: source.stage,
                intentToAdd: source.intentToAdd)
            replaced += 1
        }
        let deleted = Set(link.delete)
        guard deleted.allSatisfy({ $0 < base.count }) else { return nil }
        var entries: [(Raw, Int)] = []  // (entry, order: shared first, then the split file's)
        for (i, e) in base.enumerated() where !deleted.contains(i) { entries.append((e, i)) }
        for e in split.entries[replaced...] {
            guard !e.path.isEmpty else { return nil }
            var moved = e
            moved.path = (e.path.lowerBound + offset)..<(e.path.upperBound + offset)
            entries.append((moved, base.count + entries.count))
        }
        let paths = shared.paths + split.paths
        entries.sort { x, y in
            let c = compare(paths, x.0.path, y.0.path)
            if c != 0 { return c < 0 }
            return x.0.stage != y.0.stage ? x.0.stage < y.0.stage : x.1 < y.1
        }
        var out: [Raw] = []
        for (e, _) in entries {
            if let last = out.last, last.stage == e.stage, compare(paths, last.path, e.path) == 0 {
                out[out.count - 1] = e
            } else {
                out.append(e)
            }
        }
        return (paths, out)
    }
}
