import ExoModel
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// Listing a folder of the index: a binary search over the sorted paths.
extension IndexFile {
    /// The index of the first entry whose path is not less than `key` (byte order).
    func lowerBound(_ key: [UInt8]) -> Int {
        paths.withUnsafeBufferPointer { p in
            key.withUnsafeBufferPointer { k in
                partitionPoint(items.indices) { i in
                    let item = items[i]
                    let n = Swift.min(item.end - item.start, k.count)
                    let c = n == 0 ? 0 : memcmp(p.baseAddress! + item.start, k.baseAddress!, n)
                    return !(c < 0 || (c == 0 && item.end - item.start < k.count))
                }
            }
        }
    }

    /// The entries directly in `dir` (`""` the top): files and symlinks with their item,
    /// folders with nil.
    func list(_ dir: String) -> [(name: String, item: Item?)] {
        var out: [(name: String, item: Item?)] = []
        forEachEntry(in: dir) { name, folder, item in
            out.append((RawBytes.decode(paths[name]), folder == nil ? item : nil))
            return true
        }
        return out
    }

    /// Visits the entries directly in `dir` in the index's order: each file (or symlink,
    /// or gitlink) with its name's range in `paths` and its item; each subfolder once, with
    /// its name's range and its whole path's range (`folder`). Each folder below is skipped
    /// over with one binary search. `visit` returns false to stop.
    func forEachEntry(
        in dir: String, _ visit: (_ name: Range<Int>, _ folder: Range<Int>?, _ item: Item) -> Bool
    ) {
        let prefix: [UInt8] = dir.isEmpty ? [] : Array(dir.utf8) + [UInt8(ascii: "/")]
        var i = lowerBound(prefix)
        while i < items.count {
            let item = items[i]
            // Compared and searched with memcmp and memchr: a folder of 500 entries is listed
            // for every commit that stages a file in it.
            let (inside, found) = paths.withUnsafeBufferPointer { p -> (Bool, Int?) in
                guard item.end - item.start > prefix.count else { return (false, nil) }
                let base = p.baseAddress!
                let same = prefix.withUnsafeBufferPointer { q in
                    q.isEmpty || memcmp(base + item.start, q.baseAddress!, q.count) == 0
                }
                guard same else { return (false, nil) }
                let nameStart = item.start + prefix.count
                let slash = memchr(base + nameStart, Int32(UInt8(ascii: "/")), item.end - nameStart)
                return (true, slash.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) })
            }
            guard inside else { break }
            let nameStart = item.start + prefix.count
            if let slash = found {
                guard visit(nameStart..<slash, item.start..<slash, item) else { return }
                // Past every path under this folder: "name/" < "name0" ('0' follows '/').
                i = lowerBound(Array(paths[item.start..<slash]) + [UInt8(ascii: "0")])
            } else {
                guard visit(nameStart..<item.end, nil, item) else { return }
                i += 1
            }
        }
    }
}
