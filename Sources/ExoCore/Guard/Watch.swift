#if canImport(Glibc)
    import Glibc
#endif

/// A ref the guard watches: its full name, its tip and the tip's committer time.
public struct WatchedRef: Sendable {
    public let name: String
    public let tip: ObjectID
    public let time: Int64
}

/// The refs one check watches, and how their work in flight is read: each tip and merge
/// base read once per workspace, as a graph whose folders shared with a graph already read
/// come from the cache, and compared folder by folder (`WorkLine.flights(tip:mergeBase:)`);
/// no ref gets a view of every document.
public final class Watch {
    let repository: Repository
    public let refs: [WatchedRef]
    private var graphs: [String: Graph?] = [:]
    private var mergeBases: [String: ObjectID?] = [:]
    private var flights: [String: [WorkLine.Flight]] = [:]
    /// What the run did, for `EXO_GUARD_STATS`: graphs read, flights compared folder by folder.
    public private(set) var stats = (refs: 0, graphs: 0, folderDiffs: 0)

    public init(repository: Repository, refs: [WatchedRef]) {
        self.repository = repository
        self.refs = refs
        stats.refs = refs.count
    }

    /// The graph of the workspace at `root` in a commit; nil when it cannot be read (a broken
    /// config on another branch is that branch's problem, not this commit's).
    private func graph(_ commit: ObjectID, root: String, cache: ParseCache) -> Graph? {
        let key = commit.description + "\u{0}" + root
        if let hit = graphs[key] { return hit }
        let graph = (try? GitSnapshot(repository: repository, commit: commit, label: commit.description))
            .flatMap { try? Guard.graph(of: $0, root: root, cache: cache) }
        graphs[key] = graph
        stats.graphs += 1
        return graph
    }

    /// The merge base of a ref's tip with a line of work, once per pair.
    private func mergeBase(_ tip: ObjectID, _ line: [ObjectID]) -> ObjectID? {
        let key = ([tip] + line).map(\.description).joined(separator: " ")
        if let hit = mergeBases[key] { return hit }
        let m = repository.mergeBase(tip, line: line)
        mergeBases[key] = m
        return m
    }

    /// The flights of a ref against a line of work's history (none when the ref is merged).
    private func flights(_ ref: WatchedRef, line: [ObjectID], root: String, cache: ParseCache) -> [WorkLine.Flight] {
        let m = mergeBase(ref.tip, line)
        if m == ref.tip { return [] }
        let key = ref.tip.description + " " + (m?.description ?? "-") + "\u{0}" + root
        if let hit = flights[key] { return hit }
        var found: [WorkLine.Flight] = []
        if let tip = graph(ref.tip, root: root, cache: cache) {
            let base = m.flatMap { graph($0, root: root, cache: cache) }
            found = WorkLine.flights(tip: tip, mergeBase: base)
            stats.folderDiffs += 1
        }
        flights[key] = found
        return found
    }

    /// The refs with work in flight against one state of the line.
    private func lines(_ line: Coordination, commits: [ObjectID], root: String, cache: ParseCache) -> [WorkLine] {
        refs.compactMap { ref in
            let found = flights(ref, line: commits, root: root, cache: cache)
            guard !found.isEmpty else { return nil }
            let w = WorkLine(ref: ref.name, flights: found, line: line)
            return w.items.isEmpty ? nil : w
        }
    }

    /// The cross-branch comparison of one workspace: the lines of work in the base state
    /// and in the target state, and what the target adds.
    func compare(
        before: Coordination, baseLine: [ObjectID], after: Coordination, targetLine: [ObjectID],
        root: String, baseReadable: Bool, cache: ParseCache
    ) -> (BranchDiff, [String: Guard.RefView]) {
        let baseRefs = lines(before, commits: baseLine, root: root, cache: cache)
        let targetRefs = lines(after, commits: targetLine, root: root, cache: cache)
        guard !baseRefs.isEmpty || !targetRefs.isEmpty else { return (.none, [:]) }
        let shown = views(of: Set((baseRefs + targetRefs).compactMap(\.ref)), root: root, cache: cache)
        let target = CrossConflict.among([WorkLine(line: after, meeting: targetRefs)] + targetRefs)
        guard baseReadable else { return (BranchDiff(unreadableBase: target), shown) }
        let base = CrossConflict.among([WorkLine(line: before, meeting: baseRefs)] + baseRefs)
        return (BranchDiff(baseLocal: before.conflicts, base: base, targetLocal: after.conflicts, target: target), shown)
    }

    /// The lines of work of one state, for `board --branches` and `conflicts --branches`:
    /// the line itself, then each watched ref with changes in flight.
    public func lines(
        of line: Coordination, commits: [ObjectID], root: String,
        cache: ParseCache
    ) -> (lines: [WorkLine], refs: [String: Guard.RefView]) {
        let refLines = lines(line, commits: commits, root: root, cache: cache)
        return ([WorkLine(line: line)] + refLines, views(of: Set(refLines.compactMap(\.ref)), root: root, cache: cache))
    }

    /// The tips of the refs a report names, with exo's view of each (for paths and assignees).
    private func views(of names: Set<String>, root: String, cache: ParseCache) -> [String: Guard.RefView] {
        var out: [String: Guard.RefView] = [:]
        for ref in refs where names.contains(ref.name) {
            guard let g = graph(ref.tip, root: root, cache: cache) else { continue }
            out[ref.name] = Guard.RefView(ref: ref, graph: g)
        }
        return out
    }
}
