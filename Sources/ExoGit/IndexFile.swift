import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// git's index file, read directly: its stage-0 entries (path, mode, blob id) in git's
/// order, and its cache tree — the tree id git will write for every folder the index has
/// not changed since the cache tree was last brought up to date (`git commit` does that
/// before the pre-commit hook runs; `git add` invalidates the folders above what it adds).
///
/// A folder is listed by a binary search over the sorted paths, so a run's cost follows
/// the folders it lists, not the size of the index; the cache tree's ids serve as cache
/// keys, exactly for the trees git will commit.
///
/// Versions 2, 3 and 4 are read, and a split index (`core.splitIndex`) with its shared
/// index. What this reader does not know (a sparse index, `sdir` and folder entries;
/// another required extension; a damaged file) makes `read` return nil, and the caller
/// reads the index through libgit2 instead. The trailing checksum is not verified: the
/// file is the local one git just wrote.
package struct IndexFile {
    /// One stage-0 entry (intent-to-add entries left out): its path, `paths[start..<end]`, its mode and its blob id.
    struct Item {
        let start: Int
        let end: Int
        let mode: UInt32
        let id: CacheKey
    }

    /// Every path, back to back (version 4 stores them compressed, so they are copied out).
    let paths: [UInt8]
    /// Stage-0 entries in the index's order (byte order of their paths).
    let items: [Item]
    /// The cache tree: the tree id of every folder whose node is valid, by folder path
    /// (`""` for the top); nil when the index has no cache tree.
    let trees: [String: ObjectID]?
    /// Whether some entry is at a stage other than 0 (an unresolved merge).
    let hasConflicts: Bool

    /// Reads the index at `path` (and, for a split index, the shared index it names in
    /// `gitDir`); nil when either is missing, damaged, or of a form this reader does not handle.
    static func read(_ path: String, gitDir: String) -> IndexFile? {
        if let prefetched = Prefetched.take(path) { return prefetched }
        guard let main = file(path) else { return nil }
        return assemble(main, gitDir: gitDir)
    }

    /// The index of a file's contents, with its shared index when it is a split index.
    static func assemble(_ main: Contents, gitDir: String) -> IndexFile? {
        var paths = main.paths
        var entries = main.entries
        if let link = main.link, link.shared.contains(where: { $0 != 0 }) {
            let name = gitDir + "/sharedindex." + link.shared.map { String($0, radix: 16).leftPadded(2) }.joined()
            guard let shared = file(name), shared.link == nil,
                let merged = merge(shared: shared, split: main, link: link)
            else { return nil }
            (paths, entries) = merged
        }
        var items: [Item] = []
        items.reserveCapacity(entries.count)
        var conflicts = false
        for e in entries {
            if e.stage != 0 {
                conflicts = true
                continue
            }
            if e.intentToAdd { continue }  // `git add -N`: not part of what git commits
            items.append(Item(start: e.path.lowerBound, end: e.path.upperBound, mode: e.mode, id: e.id))
        }
        // libgit2 cannot read a split index: one without a cache tree is read here too, as
        // a cache tree with no valid folder.
        let trees = main.trees ?? (main.link != nil ? [:] : nil)
        return IndexFile(paths: paths, items: items, trees: trees, hasConflicts: conflicts)
    }

    /// One entry as a file holds it.
    package struct Raw {
        package var path: Range<Int>
        var mode: UInt32
        var id: CacheKey
        var stage: Int
        var intentToAdd: Bool
    }

    /// A split index's link to its shared index: the shared file's hash, and which of its
    /// entries this file deletes and replaces (by position).
    package struct Link {
        let shared: [UInt8]
        let delete: [Int]
        let replace: [Int]
    }

    /// What one index file holds: its paths back to back, its entries, its extensions.
    package struct Contents {
        package var paths: [UInt8]
        package var entries: [Raw]
        var trees: [String: ObjectID]?
        var link: Link?
    }

    /// The file at `path` parsed, read through a mapping as git reads it (`read_index_from`):
    /// a commit's hook reads an index of 12,000 entries, a megabyte that a read into a new
    /// buffer copied and faulted in page by page before parsing. git replaces an index by
    /// renaming a new file over it, so the mapped file stays whole while it is read.
    static func file(_ path: String) -> Contents? { file(path, stat: nil) }

    /// The same, and the file's identity as it was read (`Prefetched`).
    static func file(_ path: String, stat seen: UnsafeMutablePointer<stat>?) -> Contents? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_size > 0 else { return nil }
        seen?.pointee = st
        let size = Int(st.st_size)
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        defer { munmap(base, size) }
        return parse(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: size))
    }

    package static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Contents? {
        let hashSize = 20
        // "DIRC", the version, the number of entries.
        guard b.count >= 12 + hashSize, b[0] == 0x44, b[1] == 0x49, b[2] == 0x52, b[3] == 0x43 else { return nil }
        let version = be32(b, 4)
        guard (2...4).contains(version) else { return nil }
        let count = Int(be32(b, 8))
        let end = b.count - hashSize
        guard count <= end / 62 else { return nil }
        var paths: [UInt8] = []
        paths.reserveCapacity(count * 48)
        var entries: [Raw] = []
        entries.reserveCapacity(count)
        var at = 12
        var previous = 0..<0  // the previous path in `paths` (version 4 strips from it)
        for _ in 0..<count {
            let entry = at
            guard entry + 62 <= end else { return nil }
            let mode = be32(b, entry + 24)
            let flags = UInt16(b[entry + 60]) << 8 | UInt16(b[entry + 61])
            let extended = flags & 0x4000 != 0
            if extended && version < 3 { return nil }
            var p = entry + 62 + (extended ? 2 : 0)
            let start = paths.count
            if version == 4 {
                guard p < end else { return nil }
                var c = b[p]
                p += 1
                var strip = Int(c & 127)
                while c & 128 != 0 {
                    guard p < end, strip < 1 << 24 else { return nil }
                    c = b[p]
                    p += 1
                    strip = ((strip + 1) << 7) | Int(c & 127)
                }
                guard strip <= previous.count, let nul = nulIndex(b, from: p, end: end) else { return nil }
                paths.append(contentsOf: paths[previous.lowerBound..<(previous.upperBound - strip)])
                paths.append(contentsOf: b[p..<nul])
                at = nul + 1
            } else {
                guard let nul = nulIndex(b, from: p, end: end) else { return nil }
                paths.append(contentsOf: b[p..<nul])
                // The entry is padded with 1 to 8 NULs to a multiple of 8 bytes.
                at = entry + ((nul - entry + 8) & ~7)
                guard at <= end else { return nil }
            }
            previous = start..<paths.count
            if mode & 0o170000 == 0o040000 { return nil }  // a sparse index's folder entry
            let id = CacheKey(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[(entry + 40)..<(entry + 60)])))
            entries.append(
                Raw(
                    path: start..<paths.count, mode: mode, id: id, stage: Int((flags >> 12) & 3),
                    intentToAdd: extended && b[entry + 62] & 0x20 != 0))
        }
        // Extensions: a signature, a length, the data. Lower-case signatures must be
        // understood to read the index right.
        var trees: [String: ObjectID]? = nil
        var link: Link? = nil
        while at + 8 <= end {
            let signature = (b[at], b[at + 1], b[at + 2], b[at + 3])
            let size = Int(be32(b, at + 4))
            let data = at + 8
            guard size <= end - data else { return nil }
            if signature == (0x54, 0x52, 0x45, 0x45) {  // "TREE"
                guard let parsed = cacheTree(b, data..<(data + size)) else { return nil }
                trees = parsed
            } else if signature == (0x6C, 0x69, 0x6E, 0x6B) {  // "link": a split index
                guard let parsed = splitLink(b, data..<(data + size), entries: entries.count) else { return nil }
                link = parsed
            } else if signature.0 >= 0x61 && signature.0 <= 0x7A {
                return nil  // "sdir" or another extension this reader does not know
            }
            at = data + size
        }
        guard at == end else { return nil }
        return Contents(paths: paths, entries: entries, trees: trees, link: link)
    }

    /// Byte order of two paths in `paths`.
    static func compare(_ paths: [UInt8], _ x: Range<Int>, _ y: Range<Int>) -> Int {
        let n = Swift.min(x.count, y.count)
        for k in 0..<n where paths[x.lowerBound + k] != paths[y.lowerBound + k] {
            return paths[x.lowerBound + k] < paths[y.lowerBound + k] ? -1 : 1
        }
        return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }

    /// The TREE extension: nodes in pre-order, each `name NUL count SP subtrees LF` and, when
    /// valid (`count` >= 0), the tree id. Returns the ids of the valid nodes by folder path.
    static func cacheTree(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [String: ObjectID]? {
        var out: [String: ObjectID] = [:]
        var p = range.lowerBound
        // Each open folder and how many of its subtrees are still to come.
        var stack: [(path: String, remaining: Int)] = []
        var seenRoot = false
        func number(until terminator: UInt8) -> Int? {
            var negative = false
            var value = 0
            var digits = 0
            if p < range.upperBound && b[p] == UInt8(ascii: "-") {
                negative = true
                p += 1
            }
            while p < range.upperBound, b[p] != terminator {
                guard b[p] >= 0x30 && b[p] <= 0x39, digits < 10 else { return nil }
                value = value * 10 + Int(b[p] - 0x30)
                digits += 1
                p += 1
            }
            guard p < range.upperBound, digits > 0 else { return nil }
            p += 1
            return negative ? -value : value
        }
        while p < range.upperBound {
            guard let nul = nulIndex(b, from: p, end: range.upperBound) else { return nil }
            // A name that is not UTF-8 makes a path no folder of the snapshot has.
            let name = String(validating: UnsafeBufferPointer(rebasing: b[p..<nul]), as: UTF8.self) ?? "\u{0}"
            p = nul + 1
            guard let count = number(until: 0x20), let subtrees = number(until: 0x0A), subtrees >= 0 else { return nil }
            while let last = stack.last, last.remaining == 0 { stack.removeLast() }
            let path: String
            if let parent = stack.last {
                stack[stack.count - 1].remaining -= 1
                path = SnapPath.join(parent.path, name)
            } else {
                guard !seenRoot && name.isEmpty else { return nil }  // one root, named ""
                seenRoot = true
                path = ""
            }
            if count >= 0 {
                guard p + 20 <= range.upperBound else { return nil }
                out[path] = ObjectID(CacheKey(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[p..<(p + 20)]))))
                p += 20
            }
            stack.append((path, subtrees))
        }
        return out
    }

    static func be32(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    static func nulIndex(_ b: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
        guard from <= end, let base = b.baseAddress, let hit = memchr(base + from, 0, end - from) else { return nil }
        return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
