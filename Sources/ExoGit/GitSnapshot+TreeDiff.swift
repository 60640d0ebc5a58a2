import CGit2
import ExoModel
import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// Two commits' trees compared as git compares them: both folders' entries walked together
/// in git's tree order, a subfolder with the same tree id on both sides never opened. (Not
/// libgit2's `git_diff_tree_to_tree`: it opens every subtree, and libgit2 keeps no tree
/// over 4 KiB in its object cache, so each comparison inflated the whole workspace's trees
/// again: 100 watched refs took longer than reading their graphs.)
extension GitSnapshot {
    /// What differs below `dir` between this commit's tree and `other`'s (both commits of
    /// one repository, or an index and a commit: `compareListings`); nil when either side
    /// has no folder `dir`.
    public func changes(to other: Snapshot, under dir: String) -> [PathChange]? {
        guard let other = other as? GitSnapshot, other.repository === repository,
            let before = treeKey(dir).map(ObjectID.init), let after = other.treeKey(dir).map(ObjectID.init)
        else { return nil }
        let key = after.description + "\u{0}" + dir
        if let last = lastChanges, last.key.utf8.elementsEqual(key.utf8) { return last.found }
        var out: [PathChange] = []
        guard case .tree = source, case .tree = other.source else {
            // An index on either side (a commit's staged files against HEAD): compared by
            // the two snapshots' listings, a folder with the same tree id passed over.
            let found = compareListings(other, dir, depth: 0, into: &out) ? out : nil
            lastChanges = (key, found)
            return found
        }
        let found = compare(before, after, prefix: "", depth: 0, into: &out) ? out : nil
        lastChanges = (key, found)
        // Only a snapshot that reads its own entries is read from, so no two read from each
        // other (the comparison is asked both ways: the roots, a ref's flights).
        if dir.isEmpty, let found, other !== self, sameOutside == nil, other.sameOutside == nil, found.count <= Self.outsideFiles,
            found.allSatisfy({ c in [c.before, c.after].allSatisfy { $0 == nil || $0!.kind == .file } })
        {
            var files: [Exact: Entry?] = [:]
            var folders = Set<Exact>()
            for c in found {
                files[Exact(c.path)] = .some(c.after.map { Entry(kind: .file, id: ObjectID($0.key)) })
                var d = SnapPath.parent(c.path)
                while !d.isEmpty, folders.insert(Exact(d)).inserted { d = SnapPath.parent(d) }
            }
            other.sameOutside = Outside(snapshot: self, files: files, folders: folders)
        }
        return found
    }

    /// Where a compared snapshot reads what lies outside the files it differs in
    /// (`sameOutside`).
    struct Outside {
        let snapshot: GitSnapshot
        /// The differing files, with this tree's entry (nil: none).
        let files: [Exact: Entry?]
        /// Every folder above one of them.
        let folders: Set<Exact>
    }

    /// Past this many differing files a compared snapshot reads its own entries.
    static let outsideFiles = 4096

    /// Compares two trees (nil: no folder on that side); false when one cannot be read, or
    /// lies deeper than the walks go (`SnapPath.maxDepth`).
    private func compare(
        _ a: ObjectID?, _ b: ObjectID?, prefix: String, depth: Int, into out: inout [PathChange]
    ) -> Bool {
        if a == b { return true }
        if depth > SnapPath.maxDepth { return false }
        // The first side's trees are kept for the run (a merge base's, the line's: many
        // comparisons start from them); the second's, a ref's tip, are read once.
        guard let x = a.map({ repository.treeItems($0, keep: true) }) ?? Repository.TreeItems(),
            let y = b.map({ repository.treeItems($0, keep: false) }) ?? Repository.TreeItems()
        else { return false }
        var i = 0
        var j = 0
        while i < x.count || j < y.count {
            let order = i == x.count ? 1 : j == y.count ? -1 : Repository.TreeItems.gitOrder(x, i, y, j)
            let left = order <= 0 ? i : nil
            let right = order >= 0 ? j : nil
            if order <= 0 { i += 1 }
            if order >= 0 { j += 1 }
            if let left, let right, x.modes[left] == y.modes[right], x.ids[left] == y.ids[right] { continue }
            let name = left.map { x.name($0) } ?? y.name(right!)
            let path = prefix.isEmpty ? name : prefix + "/" + name
            if left.map({ x.isTree($0) }) ?? y.isTree(right!) {
                guard compare(left.map { x.ids[$0] }, right.map { y.ids[$0] }, prefix: path, depth: depth + 1, into: &out)
                else { return false }
            } else {
                out.append(PathChange(path: path, before: left.flatMap { x.side($0) }, after: right.flatMap { y.side($0) }))
            }
        }
        return true
    }
}

extension GitSnapshot {
    /// What differs below `dir` between this snapshot and `other`, by their listings (what
    /// the walk reads): a folder whose tree id both know and agree on is passed over, a
    /// file with the same kind and blob id on both sides is the same, a folder on one side
    /// only has each file below it added or removed. Paths relative to the top.
    func compareListings(_ other: GitSnapshot, _ dir: String, depth: Int, into out: inout [PathChange]) -> Bool {
        if depth > SnapPath.maxDepth { return false }
        if let a = treeKey(dir), let b = other.treeKey(dir), a == b { return true }
        let x = entries(dir) ?? [:]
        let y = other.entries(dir) ?? [:]
        // Each name of either side once: the second side's the first lacks, then the first's.
        for (name, r) in y where x[name] == nil { guard record(name, nil, r) else { return false } }
        for (name, l) in x { guard record(name, l, y[name]) else { return false } }
        return true

        func record(_ name: String, _ l: Entry?, _ r: Entry?) -> Bool {
            let (lDir, rDir) = (l?.kind == .directory, r?.kind == .directory)
            if !lDir && !rDir && l?.kind == r?.kind && l?.id == r?.id { return true }
            let path = SnapPath.join(dir, name)
            if lDir || rDir {
                // A file against a folder: the file goes or comes, the folder's files too.
                if !lDir, let l { out.append(PathChange(path: path, before: (l.kind, l.id.cacheKey), after: nil)) }
                if !rDir, let r { out.append(PathChange(path: path, before: nil, after: (r.kind, r.id.cacheKey))) }
                return compareListings(other, path, depth: depth + 1, into: &out)
            }
            let before = l.map { (kind: $0.kind, key: $0.id.cacheKey) }
            out.append(PathChange(path: path, before: before, after: r.map { ($0.kind, $0.id.cacheKey) }))
            return true
        }
    }
}

extension Repository {
    /// A tree object's entries in the tree's own (git's) order; the names laid end to end
    /// in one buffer, made into strings only for the entries that differ.
    struct TreeItems {
        var bytes: [UInt8] = []
        var spans: [(start: Int32, count: Int32)] = []
        var modes: [UInt32] = []
        var ids: [ObjectID] = []
        var count: Int { ids.count }

        func name(_ i: Int) -> String {
            let start = Int(spans[i].start)
            return RawBytes.decode(bytes[start..<start + Int(spans[i].count)])
        }

        func isTree(_ i: Int) -> Bool { modes[i] & 0o170000 == 0o040000 }

        /// What a snapshot sees of the entry: nil for a gitlink, which it leaves out.
        func side(_ i: Int) -> (kind: EntryKind, key: CacheKey)? {
            if modes[i] & 0o170000 == 0o160000 { return nil }
            return (GitSnapshot.kind(mode: modes[i]) ?? .other, ids[i].cacheKey)
        }

        /// git's order of tree entries: names as bytes, a folder's as if it ended in `/`.
        static func gitOrder(_ x: TreeItems, _ i: Int, _ y: TreeItems, _ j: Int) -> Int {
            let (p, pn) = (Int(x.spans[i].start), Int(x.spans[i].count))
            let (q, qn) = (Int(y.spans[j].start), Int(y.spans[j].count))
            let n = min(pn, qn)
            let c = x.bytes.withUnsafeBufferPointer { a in
                y.bytes.withUnsafeBufferPointer { b in memcmp(a.baseAddress! + p, b.baseAddress! + q, n) }
            }
            if c != 0 { return c < 0 ? -1 : 1 }
            let c1 = pn > n ? x.bytes[p + n] : (x.isTree(i) ? UInt8(ascii: "/") : 0)
            let c2 = qn > n ? y.bytes[q + n] : (y.isTree(j) ? UInt8(ascii: "/") : 0)
            return c1 == c2 ? 0 : c1 < c2 ? -1 : 1
        }
    }

    /// A tree's entries; kept for the run when `keep` (libgit2 keeps no tree over 4 KiB in
    /// its cache, and watched refs share their merge bases' trees).
    func treeItems(_ id: ObjectID, keep: Bool) -> TreeItems? {
        if let hit = trees[id] { return hit }
        var raw = id.raw
        let read = LibGit2.withFound(
            create: { git.tree_lookup(&$0, pointer, &raw) }, free: git.tree_free,
            use: { tree -> TreeItems? in
                let count = git.tree_entrycount(tree)
                var items = TreeItems()
                items.bytes.append(0)  // never empty
                items.spans.reserveCapacity(count)
                items.modes.reserveCapacity(count)
                items.ids.reserveCapacity(count)
                for i in 0..<count {
                    guard let e = git.tree_entry_byindex(tree, i), let name = git.tree_entry_name(e) else { return nil }
                    let length = strlen(name)
                    guard items.bytes.count + length < Int(Int32.max) else { return nil }
                    items.spans.append((Int32(items.bytes.count), Int32(length)))
                    name.withMemoryRebound(to: UInt8.self, capacity: length) {
                        items.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                    }
                    items.modes.append(UInt32(git.tree_entry_filemode(e).rawValue))
                    items.ids.append(ObjectID(git.tree_entry_id(e)!))
                    // A crafted tree out of git's order (or naming an entry twice) would
                    // pair the wrong entries: such a tree is compared by its graphs instead.
                    if i > 0 && TreeItems.gitOrder(items, i - 1, items, i) >= 0 { return nil }
                }
                return items
            })
        if keep, let read { trees[id] = read }
        return read
    }
}
