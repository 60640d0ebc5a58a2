/// A ref the guard watches: its full name, its tip and the tip's committer time.
public struct WatchedRef: Sendable {
    public let name: String
    public let tip: ObjectID
    public let time: Int64
}

/// The refs one check watches, and how their graphs are read: each tip and merge base
/// once per workspace, folders shared with a graph already read taken from the cache.
public final class Watch {
    let repository: Repository
    public let refs: [WatchedRef]
    private var views: [String: Coordination] = [:]

    public init(repository: Repository, refs: [WatchedRef]) {
        self.repository = repository
        self.refs = refs
    }

    /// exo's view of the workspace at `root` in a commit; nil when it cannot be read (a
    /// broken config on another branch is that branch's problem, not this commit's).
    private func view(_ commit: ObjectID, root: String, cache: ParseCache) -> Coordination? {
        let key = commit.description + "\u{0}" + root
        if let hit = views[key] { return hit }
        guard let snapshot = try? GitSnapshot(repository: repository, commit: commit, label: commit.description),
              let graph = try? Guard.graph(of: snapshot, root: root, cache: cache)
        else { return nil }
        let view = Coordination(graph)
        views[key] = view
        return view
    }

    /// The cross-branch comparison of one workspace: the lines of work in the base state
    /// and in the target state, and what the target adds.
    func compare(before: Coordination, baseLine: [ObjectID], after: Coordination, targetLine: [ObjectID],
                 root: String, baseReadable: Bool, cache: ParseCache) -> (BranchDiff, [String: Guard.RefView]) {
        var baseLines = [WorkLine(line: before)], targetLines = [WorkLine(line: after)]
        var shown: [String: Guard.RefView] = [:]
        for ref in refs {
            guard let tip = view(ref.tip, root: root, cache: cache), !tip.active.isEmpty else { continue }
            func line(_ commits: [ObjectID], _ view: Coordination) -> WorkLine {
                let m = repository.mergeBase(ref.tip, line: commits)
                if m == ref.tip { return WorkLine(ref: ref.name, tip: tip, mergeBase: tip, line: view) }
                return WorkLine(ref: ref.name, tip: tip, mergeBase: m.flatMap { self.view($0, root: root, cache: cache) }, line: view)
            }
            let b = line(baseLine, before), t = line(targetLine, after)
            if !b.items.isEmpty { baseLines.append(b) }
            if !t.items.isEmpty { targetLines.append(t) }
            if !b.items.isEmpty || !t.items.isEmpty { shown[ref.name] = Guard.RefView(ref: ref, view: tip) }
        }
        guard baseLines.count > 1 || targetLines.count > 1 else { return (.none, [:]) }
        guard baseReadable else { return (BranchDiff(unreadableBase: CrossConflict.among(targetLines)), shown) }
        let diff = BranchDiff(baseLocal: before.conflicts, base: CrossConflict.among(baseLines),
                              targetLocal: after.conflicts, target: CrossConflict.among(targetLines))
        return (diff, shown)
    }

    /// The lines of work of one state, for `board --branches` and `conflicts --branches`:
    /// the line itself, then each watched ref with changes in flight.
    public func lines(of line: Coordination, commits: [ObjectID], root: String, cache: ParseCache) -> (lines: [WorkLine], refs: [String: Guard.RefView]) {
        var lines = [WorkLine(line: line)]
        var shown: [String: Guard.RefView] = [:]
        for ref in refs {
            guard let tip = view(ref.tip, root: root, cache: cache), !tip.active.isEmpty else { continue }
            let m = repository.mergeBase(ref.tip, line: commits)
            let base = m == ref.tip ? tip : m.flatMap { view($0, root: root, cache: cache) }
            let w = WorkLine(ref: ref.name, tip: tip, mergeBase: base, line: line)
            guard !w.items.isEmpty else { continue }
            lines.append(w)
            shown[ref.name] = Guard.RefView(ref: ref, view: tip)
        }
        return (lines, shown)
    }
}
