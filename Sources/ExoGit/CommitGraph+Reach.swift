/// Which tips hold commits of their own above a base: the question a push of many refs
/// asks once for all of them, where asking each pushed ref's merge base with every other
/// ref would cost a million merge bases at a thousand refs.
///
/// When no other tip reaches a commit that a pushed tip reaches and the base does not, every
/// other ref's merge base with the pushed tip is its merge base with the base (their common
/// ancestors are the same set), so its flights are the same against both.
extension Repository {
    /// Who reaches a commit: one tip, or several.
    private enum Reach: Equatable {
        case one(ObjectID)
        case many

        func merged(_ other: Reach?) -> Reach {
            guard let other else { return self }
            return self == other ? self : .many
        }
    }

    /// The tips of `tips` whose commits not reachable from `base` no other tip of `tips`
    /// reaches (a tip that `base` reaches is not one of them); nil when the walk cannot say
    /// exactly: a commit that cannot be read, more than `limit` commits walked, or a commit
    /// newer than one walked before it (committer times out of order, which git's own walk
    /// can get wrong too).
    ///
    /// One walk, git's (`paint_down_to_common`): commits newest first, each tip's commits
    /// marked with the tip (or "several"), the base's ancestors marked stale; it stops when
    /// every commit left to walk is stale. Then every tip that reaches a commit marked
    /// "several" is left out.
    public func tipsWithOwnCommits(_ tips: Set<ObjectID>, above base: ObjectID, limit: Int) -> Set<ObjectID>? {
        var reach: [ObjectID: Reach] = [:]
        var stale: Set<ObjectID> = [base]
        var walked: Set<ObjectID> = []
        var queued: Set<ObjectID> = []
        var children: [ObjectID: [ObjectID]] = [:]
        var queue = CommitQueue()
        var nonStale = 0
        func enqueue(_ id: ObjectID) -> Bool {
            guard queued.insert(id).inserted else { return true }
            guard let info = commitInfo(id) else { return false }
            queue.push(id, time: info.time)
            if !stale.contains(id) { nonStale += 1 }
            return true
        }
        guard enqueue(base) else { return nil }
        for t in tips {
            if t != base { reach[t] = .one(t) }
            guard enqueue(t) else { return nil }
        }
        var last = Int64.max
        while nonStale > 0, let c = queue.pop() {
            queued.remove(c)
            let isStale = stale.contains(c)
            if !isStale { nonStale -= 1 }
            walked.insert(c)
            guard walked.count <= limit, let info = commitInfo(c) else { return nil }
            // Newest first, unless a parent is newer than a commit walked before it: then a
            // mark may come to a commit walked already, or after the walk stops.
            guard info.time <= last else { return nil }
            last = info.time
            for p in info.parents {
                if isStale {
                    guard stale.insert(p).inserted else { continue }
                    if queued.contains(p) {
                        nonStale -= 1
                    } else {
                        guard enqueue(p) else { return nil }
                    }
                    continue
                }
                children[p, default: []].append(c)
                let merged = reach[c].map { $0.merged(reach[p]) }
                if let merged, merged != reach[p] {
                    // A commit walked already, reached again (times equal): not exact.
                    if walked.contains(p) && !stale.contains(p) { return nil }
                    reach[p] = merged
                }
                if !walked.contains(p) { guard enqueue(p) else { return nil } }
            }
        }
        // Every tip reaching a commit that several tips reach, through the children walked.
        var shared: Set<ObjectID> = []
        var pending = reach.compactMap { id, r in r == .many && !stale.contains(id) ? id : nil }
        while let id = pending.popLast() {
            guard shared.insert(id).inserted else { continue }
            pending += children[id] ?? []
        }
        return tips.filter { !stale.contains($0) && !shared.contains($0) }
    }
}
