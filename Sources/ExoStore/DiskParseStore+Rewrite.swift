#if canImport(Glibc)
    import Glibc
#endif

/// Writing the cache file anew: every entry sorted into a new table, through a temporary
/// file renamed over the old one.
extension DiskParseStore {
    /// Every entry, this run's winning over older ones, sorted into a new file.
    func rewrite(_ added: [Entry], used: Set<Slot>) -> OnDisk? {
        let addedBytes = added.reduce(0) { $0 + 25 + $1.payload.count }
        // (slot, rank, range): rank 0 this run's entries, 1 the tail's, 2 the table's.
        var entries: [(slot: Slot, rank: Int, range: Range<Int>)] = []
        entries.reserveCapacity(rows + tail.count + added.count)
        if let file = mapped {
            let tableEnd = Self.headerSize + rows * Self.rowSize
            for i in 0..<rows {
                let at = Self.headerSize + i * Self.rowSize
                let offset = Int(u32(at + 24))
                let length = Int(u32(at + 28))
                guard offset >= tableEnd, length <= tailStart - offset else { continue }
                let slot = Slot(kind: file[at + 20], key: CacheKey(UnsafeRawBufferPointer(rebasing: file[at..<(at + 20)])))
                entries.append((slot, 2, offset..<(offset + length)))
            }
        }
        for (slot, range) in tail { entries.append((slot, 1, range)) }
        var kept = entries
        let total = entries.reduce(0) { $0 + $1.range.count } + addedBytes
        if entries.count + added.count > Self.maxEntries || total > Self.maxBytes {
            kept = entries.filter { used.contains($0.slot) }
        }
        // This run's entries: rank 0, their range an index into `added`.
        for (i, e) in added.enumerated() { kept.append((e.slot, 0, i..<(i + 1))) }
        kept.sort { x, y in
            (x.slot.key.a, x.slot.key.b, x.slot.key.c, x.slot.kind, x.rank) < (
                y.slot.key.a, y.slot.key.b, y.slot.key.c, y.slot.kind, y.rank
            )
        }
        // One entry a slot: the first after sorting, the newest.
        var unique: [(slot: Slot, rank: Int, range: Range<Int>)] = []
        unique.reserveCapacity(kept.count)
        for e in kept where unique.last?.slot != e.slot { unique.append(e) }
        let tableEnd = Self.headerSize + unique.count * Self.rowSize
        func length(_ e: (slot: Slot, rank: Int, range: Range<Int>)) -> Int {
            e.rank == 0 ? added[e.range.lowerBound].payload.count : e.range.count
        }
        let payloadBytes = unique.reduce(0) { $0 + length($1) }
        let tmp = path + ".\(getpid()).tmp"
        let fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }  // a read-only repository: no cache, no error
        // Written in pieces of about 1 MiB: the whole file is never in memory at once.
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20 + 4096)
        var done = true
        func spill(_ force: Bool = false) {
            guard done, force || out.count >= 1 << 20 else { return }
            done = Self.write(fd, out)
            out.removeAll(keepingCapacity: true)
        }
        out += Self.magic
        LittleEndian.u32(Self.format, into: &out)
        LittleEndian.u32(UInt32(unique.count), into: &out)
        LittleEndian.u32(UInt32(tableEnd + payloadBytes), into: &out)
        var offset = tableEnd
        for e in unique {
            e.slot.key.append(to: &out)
            out.append(e.slot.kind)
            out.append(0)
            out.append(0)
            out.append(0)
            LittleEndian.u32(UInt32(offset), into: &out)
            LittleEndian.u32(UInt32(length(e)), into: &out)
            offset += length(e)
            spill()
        }
        for e in unique {
            if e.rank == 0 {
                out += added[e.range.lowerBound].payload
            } else if let file = mapped {
                out += file[e.range]
            }
            spill()
        }
        spill(true)
        close(fd)
        guard done, rename(tmp, path) == 0 else {
            unlink(tmp)
            return nil
        }
        return OnDisk(size: offset, tailCount: 0, intact: true)
    }

    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool { FileWrite.all(fd, bytes) }
}
