import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// The refs one check watches, and how their work in flight is read: from the files each
/// ref changed since its merge base (`flightsByDelta`, Watch+Delta.swift), and where that
/// would not be exact, from its tip's and merge base's graphs, whose folders shared with a
/// graph already read come from the cache, compared folder by folder
/// (`WorkLine.flights(tip:mergeBase:)`); no ref gets a view of every document.
public final class Watch {
    let repository: Repository
    /// The refs watched, by name.
    public let refs: [WatchedRef]
    /// What every watch of the run has read (a pre-receive makes one per pushed ref).
    let memo: Memo

    /// The refs of this watch whose tip could not be read, with the cause, in name order.
    public var unreadableRefs: [(ref: String, error: String)] {
        refs.compactMap { r in memo.unreadable[r.name].map { (r.name, $0) } }
    }

    /// Each line's flights after the rules across refs (Watch+Pieces.swift), for this
    /// watch's refs.
    var piecesByLine: [String: Pieces] = [:]

    /// The name of the tree's top, part of every cache key (the root's name when it is "").
    let topName: String

    /// Every direct ref of the repository, as the session listed them once for the run.
    let listing: [Repository.Reference]
    /// The other refs of a push, at their new values (nil: deleted).
    let overrides: [String: ObjectID?]

    /// Whether cross states are kept in the cache: not for one ref of a push of several,
    /// whose watched refs (the others at their new values) no later run sees again, and
    /// whose key would cost a digest of every other ref's flights for each pushed ref.
    var keepsCrossStates = true

    /// With a push of several refs, the session's watch of every ref the push leaves, whose
    /// base states this watch's are derived from (Watch+Wide.swift), and the one ref of it this
    /// watch leaves out (its own; nil when the wide watch did not watch it); and the wide
    /// watch's own states.
    var wide: (watch: Watch, leftOut: String?)? = nil
    var wideStates: [String: (view: ObjectIdentifier, state: CrossState)] = [:]

    /// Whether the plain engine compares across branches (`Watch+Plain.swift`), as the
    /// session chose (`EXO_GUARD_ENGINE=plain`).
    var plain = false

    init(
        repository: Repository, refs: [WatchedRef], listing: [Repository.Reference],
        overrides: [String: ObjectID?] = [:], memo: Memo
    ) {
        self.repository = repository
        topName = repository.topName
        self.refs = refs
        self.listing = listing
        self.memo = memo
        self.overrides = overrides
    }

    /// Whether this watch sees a ref at that tip (of the repository's or `Memo.pushedValues`): the other refs of its
    /// push at their new values, the rest of the repository's as they are (its own pushed
    /// ref too).
    func sees(_ r: Repository.Reference) -> Bool {
        (memo.pushedValues?.contains(r) ?? false) ? overrides[r.name] != nil : overrides[r.name] == nil
    }

    /// A commit's tree, once per commit.
    func snapshot(_ commit: ObjectID) -> GitSnapshot? {
        if let hit = memo.snapshots[commit] { return hit }
        let made = try? GitSnapshot(repository: repository, commit: commit, label: commit.description)
        memo.snapshots[commit] = made
        return made
    }

    /// The graph of the workspace at `root` in a commit; nil when it cannot be read (a broken
    /// config on another branch is that branch's problem, not this commit's).
    func graph(_ commit: ObjectID, root: String, cache: ParseCache) -> Graph? {
        let key = commit.description + "\u{0}" + root
        if let hit = memo.graphs[key] { return hit }
        var graph: Graph? = nil
        if let snapshot = snapshot(commit) {
            do {
                if let workspace = try Guard.workspace(of: snapshot, root: root, cache: cache) {
                    graph = try workspace.graph(cache: cache)
                    memo.workspaces[key] = workspace
                } else {
                    graph = .empty
                }
            } catch {
                memo.graphErrors[key] = error.description
            }
        } else {
            memo.graphErrors[key] = "cannot read commit \(commit.short)"
        }
        memo.graphs[key] = graph
        memo.stats.graphs += 1
        return graph
    }

    /// The merge base of a ref's tip with a line of work, once per pair.
    func mergeBase(_ tip: ObjectID, _ line: [ObjectID]) -> ObjectID? {
        // One commit: the repository keeps each pair's merge base already.
        if line.count == 1 { return repository.mergeBase(tip, line[0]) }
        let key = [tip] + line
        if let hit = memo.mergeBases[key] { return hit }
        let m = repository.mergeBase(tip, line: line)
        memo.mergeBases[key] = m
        return m
    }

    /// The flights of a ref against a line of work's history, the ref alone (the rules that
    /// look at other refs too come after, `pieces`): none when the ref is merged
    /// or its workspace tree is the merge base's; else from the cache, under the two
    /// workspace trees, or read from what the ref changed, or from the two graphs.
    func flights(_ ref: WatchedRef, line: [ObjectID], root: String, cache: ParseCache) -> [WorkLine.Flight] {
        // The same tip against another line with the same merge base: the same flights
        // (a push of many refs: each pushed ref's check asks every other ref's), found with
        // no key text made.
        var baseKey: FlightsKey? = nil
        if !memo.tipsAsked.insert(ref.tip).inserted {
            let k = FlightsKey(tip: ref.tip, base: mergeBase(ref.tip, line), root: root)
            if let hit = memo.byBase[k] { return hit }
            baseKey = k
        }
        // A run on the same line as the run before: the flights under the commit ids, with
        // no object read at all.
        let text = (["exo-guard ref flights 2", ref.tip.description] + line.map(\.description) + [root, topName])
            .joined(separator: "\u{0}")
        if let hit = memo.byLine[text] { return hit }
        let byCommits = repository.digest(text)
        var found: [WorkLine.Flight]
        if let byCommits, let cached = cache.flights(byCommits) {
            memo.stats.cachedFlights += 1
            found = cached
        } else {
            found = flightsByTrees(ref, line: line, root: root, cache: cache)
            // An unreadable tip is said each time, never kept as "nothing in flight".
            if let byCommits, memo.unreadable[ref.name] == nil { cache.keepFlights(byCommits, found) }
        }
        memo.byLine[text] = found
        if let baseKey, memo.unreadable[ref.name] == nil { memo.byBase[baseKey] = found }
        return found
    }

    private func flightsByTrees(_ ref: WatchedRef, line: [ObjectID], root: String, cache: ParseCache) -> [WorkLine.Flight] {
        let m = mergeBase(ref.tip, line)
        if m == ref.tip { return [] }
        guard let tipSnapshot = snapshot(ref.tip) else { return [] }
        let tipTree = tipSnapshot.treeKey(root)
        let baseTree = m.flatMap { snapshot($0)?.treeKey(root) }
        if let tipTree, tipTree == baseTree { return [] }
        let pair = FlightsKey(tip: ref.tip, base: m, root: root)
        if let hit = memo.byBase[pair] { return hit }
        let key = tipTree.flatMap { t in
            tipSnapshot.digest(
                ["exo-guard flights 2", t.hex, m == nil ? "-" : baseTree?.hex ?? "?", root, topName]
                    .joined(separator: "\u{0}"))
        }
        var found: [WorkLine.Flight] = []
        if let key, m == nil || baseTree != nil, let cached = cache.flights(key) {
            found = cached
            memo.stats.cachedFlights += 1
        } else if let byDelta = flightsByDelta(ref, mergeBase: m, line: line, root: root, cache: cache) {
            Probe.deltaFlights.hit()
            found = byDelta
            if let key, baseTree != nil { cache.keepFlights(key, found) }
        } else if let tip = graph(ref.tip, root: root, cache: cache) {
            Probe.graphFlights.hit()
            found = WorkLine.flights(
                tip: tip, mergeBase: m.flatMap { mergeBaseGraph($0, tip: ref.tip, root: root, cache: cache) })
            if let key, m == nil || baseTree != nil { cache.keepFlights(key, found) }
        } else {
            memo.unreadable[ref.name] = memo.graphErrors[ref.tip.description + "\u{0}" + root] ?? "cannot be read"
        }
        memo.byBase[pair] = found
        return found
    }

    /// The refs with work in flight against one state of the line.
    func lines(_ line: Coordination, commits: [ObjectID], root: String, cache: ParseCache) -> [WorkLine] {
        let flights = pieces(line: commits, root: root, cache: cache).flights
        return refs.compactMap { ref in
            let found = flights[ref.name] ?? []
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
        if plain {
            return comparePlainly(
                before: before, baseLine: baseLine, after: after, targetLine: targetLine, root: root,
                baseReadable: baseReadable, cache: cache)
        }
        let base =
            baseReadable
            ? wideBase(before, line: baseLine, root: root, cache: cache)
                ?? crossState(before, commits: baseLine, root: root, cache: cache) : nil
        // The target's cross state is derived from the base's when the refs' flights are
        // the same against both (the same line commits, or every merge base the same).
        let near = base.flatMap { b in
            sharesFlights(targetLine, with: baseLine, root: root, cache: cache) ? (before, b) : nil
        }
        let target = crossState(after, commits: targetLine, root: root, cache: cache, near: near)
        guard !(base?.refs.isEmpty ?? true) || !target.refs.isEmpty else { return (.none, [:]) }
        let diff: BranchDiff
        if let base {
            // A cross-branch pair has a side in flight on a ref: only the line's own pairs
            // with such a side can have its key, and only those are read (a line may have
            // millions of pairs; the rule reads the same answer from these).
            let elsewhere = Set((base.refs + target.refs).flatMap { $0.items.map { Exact($0.id) } })
            // Each state keeps the pairs touching its own line's ids; the base's pairs under
            // the keys of ids only the target's line holds (a branch merged here, whose pair
            // with another branch the base had between two refs) are found here.
            let baseIDs = base.lineIDs
            let missing = target.lineIDs.subtracting(baseIDs)
            var baseConflicts = base.conflicts
            if !missing.isEmpty {
                baseConflicts += CrossConflict.among([base.line] + base.refs, touching: missing).filter {
                    !baseIDs.contains(Exact($0.a)) && !baseIDs.contains(Exact($0.b))
                }
            }
            diff = BranchDiff(
                baseLocal: before.conflicts(touching: elsewhere), base: baseConflicts,
                targetLocal: after.conflicts(touching: elsewhere), target: target.conflicts)
        } else {
            diff = BranchDiff(unreadableBase: target.conflicts)
        }
        // A report names a ref only through a pair of the check's.
        let named = Set((diff.new + diff.existing + diff.resolved).compactMap(\.bRef))
        return (
            diff,
            views(
                of: target.refs, naming: diff.new, only: named, line: after, commits: targetLine, root: root, cache: cache)
        )
    }
}
