import ExoGit
import ExoGraph
import ExoModel

/// Two readings of GUARD.md's "Across branches" beside the flights: a merge base whose
/// configuration cannot be read, and equal states that no guard can tell apart.
extension Watch {
    /// The graph of a ref's merge base with the line; when its configuration cannot be
    /// read, its documents read with the configuration of the ref's tip (GUARD.md: an
    /// unreadable merge base is not an empty one); nil when even that fails.
    func mergeBaseGraph(_ m: ObjectID, tip: ObjectID, root: String, cache: ParseCache) -> Graph? {
        if let graph = graph(m, root: root, cache: cache) { return graph }
        let key = m.description + "\u{0}" + root + "\u{0}" + tip.description
        if let hit = memo.graphs[key] { return hit }
        var graph: Graph? = nil
        if let snapshot = snapshot(m), let tipWorkspace = memo.workspaces[tip.description + "\u{0}" + root] {
            graph = try? Workspace(snapshot: snapshot, configuredAs: tipWorkspace).graph(cache: cache)
        }
        memo.graphs[key] = graph
        return graph
    }

    /// The changes the commit brought on the line in the very state a watched ref holds
    /// them in flight, with no assignee: a merge of that work or a second agent taking it
    /// up, which no guard can tell apart (GUARD.md, "Taken up twice"); each with the ref
    /// naming the piece of work. Only those the base state did not already hold so.
    func takenUpElsewhere(
        before: Coordination, baseLine: [ObjectID], after: Coordination, targetLine: [ObjectID], root: String,
        cache: ParseCache
    ) -> [(id: String, path: String, ref: String)] {
        // Only a change whose state the commit changed can be one: with the target view
        // derived from the base's, the ids it changed (a push of many refs asks each check
        // about every other ref's flights otherwise).
        let changed = after.changed(since: before).map { ExactLookup($0) }
        func equal(_ view: Coordination, _ commits: [ObjectID]) -> [(id: String, path: String, ref: String)] {
            let flights = pieces(line: commits, root: root, cache: cache).flights
            var out: [(id: String, path: String, ref: String)] = []
            for ref in refs {
                for f in flights[ref.name] ?? []
                where f.inFlight && f.there.assignee == nil && changed?.contains(Exact(f.id)) ?? true {
                    guard let here = view.state(of: f.id), here != f.before, here == f.there else { continue }
                    out.append((f.id, here.path, ref.name))
                }
            }
            return out
        }
        let now = equal(after, targetLine)
        guard !now.isEmpty else { return [] }
        let then = Set(equal(before, baseLine).map { [$0.id, $0.ref] })
        return now.filter { !then.contains([$0.id, $0.ref]) && before.state(of: $0.id) != after.state(of: $0.id) }
    }
}
