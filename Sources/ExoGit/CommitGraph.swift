import CGit2
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// Merge bases from commits read once per run. A push of a thousand branches asks for a
/// million merge bases (each pushed ref against every other); libgit2's `merge_base`
/// reads every commit of each walk again (its object cache is off: blobs are read once), so
/// each commit's parents and time are kept here and the walk is git's own
/// (`paint_down_to_common`) over them. When it finds more than one candidate (criss-cross
/// merges), libgit2 picks the best, as before.
/// Two commits in byte order: a key for what is the same either way round.
struct CommitPair: Hashable {
    let low: ObjectID
    let high: ObjectID
    init(_ a: ObjectID, _ b: ObjectID) {
        let ordered = withUnsafeBytes(of: a.raw) { x in
            withUnsafeBytes(of: b.raw) { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) <= 0 }
        }
        (low, high) = ordered ? (a, b) : (b, a)
    }
}

extension Repository {
    /// A commit's parents and committer time.
    struct CommitInfo {
        let parents: [ObjectID]
        let time: Int64
    }

    /// A commit's parents and time, read once per run; nil when it cannot be read.
    func commitInfo(_ id: ObjectID) -> CommitInfo? {
        if let hit = commits[id] { return hit }
        var raw = id.raw
        let info: CommitInfo? = LibGit2.withFound(
            create: { git.commit_lookup(&$0, pointer, &raw) }, free: git.commit_free,
            use: { c in
                CommitInfo(
                    parents: (0..<git.commit_parentcount(c)).compactMap { git.commit_parent_id(c, $0).map { ObjectID($0) } },
                    time: Int64(git.commit_time(c)))
            })
        if let info { commits[id] = info }
        return info
    }

    /// The best common ancestor of two commits, nil when they share none.
    ///
    /// `EXO_GUARD_TEST_MERGE_BASE=libgit2` turns the walk here off; `=compare` asks both
    /// and says on stderr where they differ (the property tests run with it).
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) -> ObjectID? {
        if a == b { return a }
        let mode = mergeBaseTest
        if mode == "libgit2" { return libgit2MergeBase(a, b) }
        let pair = CommitPair(a, b)
        var painted: ObjectID?? = mode == "compare" ? nil : mergeBases[pair]
        if painted == nil, let found = paintedMergeBases(a, b), found.count <= 1 {
            Probe.paintedMergeBase.hit()
            painted = .some(found.first)
            mergeBases[pair] = found.first
        }
        if mode == "compare", let p = painted, p != libgit2MergeBase(a, b) {
            let line =
                "exo-guard: merge base differs for \(a) \(b): walk \(p?.description ?? "none"), libgit2 \(libgit2MergeBase(a, b)?.description ?? "none")\n"
            _ = line.withCString { write(2, $0, strlen($0)) }
        }
        return painted ?? libgit2MergeBase(a, b)
    }

    /// The candidates git's walk leaves (before redundant ones are removed); nil when a
    /// commit on the way cannot be read.
    private func paintedMergeBases(_ a: ObjectID, _ b: ObjectID) -> [ObjectID]? {
        let parent1: UInt8 = 1
        let parent2: UInt8 = 2
        let stale: UInt8 = 4
        let result: UInt8 = 8
        var flags: [ObjectID: UInt8] = [a: parent1]
        flags[b, default: 0] |= parent2
        var queue = CommitQueue()
        for id in [a, b] {
            guard let info = commitInfo(id) else { return nil }
            queue.push(id, time: info.time)
        }
        var found: [ObjectID] = []
        while queue.hasNonStale(flags, stale: stale), let id = queue.pop() {
            var f = flags[id, default: 0] & (parent1 | parent2 | stale)
            if f & (parent1 | parent2) == parent1 | parent2 {
                if flags[id, default: 0] & result == 0 {
                    flags[id, default: 0] |= result
                    found.append(id)
                }
                f |= stale
            }
            guard let info = commitInfo(id) else { return nil }
            for p in info.parents {
                if flags[p, default: 0] & f == f { continue }
                guard let pinfo = commitInfo(p) else { return nil }
                flags[p, default: 0] |= f
                queue.push(p, time: pinfo.time)
            }
        }
        // A candidate reached from another one since (its ancestor) is not a best one.
        return found.filter { flags[$0, default: 0] & stale == 0 }
    }

    private func libgit2MergeBase(_ a: ObjectID, _ b: ObjectID) -> ObjectID? {
        var out = git_oid()
        var x = a.raw
        var y = b.raw
        guard git.merge_base(&out, pointer, &x, &y) >= 0 else { return nil }
        return ObjectID(out)
    }
}

/// Commits by committer time, newest first (ties: first pushed first), as git's walk takes them.
struct CommitQueue {
    private var heap: [(time: Int64, order: Int, id: ObjectID)] = []
    private var pushed = 0

    mutating func push(_ id: ObjectID, time: Int64) {
        heap.append((time, pushed, id))
        pushed += 1
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard before(heap[i], heap[p]) else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> ObjectID? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0].id
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var m = i
                if l < heap.count && before(heap[l], heap[m]) { m = l }
                if r < heap.count && before(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }

    /// Whether some queued commit is not yet stale (git's `queue_has_nonstale`).
    func hasNonStale(_ flags: [ObjectID: UInt8], stale: UInt8) -> Bool {
        heap.contains { flags[$0.id, default: 0] & stale == 0 }
    }

    private func before(_ x: (time: Int64, order: Int, id: ObjectID), _ y: (time: Int64, order: Int, id: ObjectID)) -> Bool {
        x.time != y.time ? x.time > y.time : x.order < y.order
    }
}
