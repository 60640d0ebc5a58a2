import ExoGit
import ExoGraph
import ExoModel
import ExoRules

/// What listings and reports say of the watched refs: the lines of work of one state, and
/// each ref's view (its changes in flight, the paths of targets only it has).
extension Watch {
    /// The lines of work of one state, for `board --branches` and `conflicts --branches`:
    /// the line itself, then each watched ref with changes in flight.
    public func lines(
        of line: Coordination, commits: [ObjectID], root: String,
        cache: ParseCache
    ) -> (lines: [WorkLine], refs: [String: Guard.RefView]) {
        let refLines = lines(line, commits: commits, root: root, cache: cache)
        return (
            [WorkLine(line: line)] + refLines,
            views(of: refLines, naming: [], line: line, commits: commits, root: root, cache: cache)
        )
    }

    /// What a report says of the refs: each ref's changes in flight (path, assignee at the
    /// tip), and for the new conflicts the paths of shared targets that only the ref has.
    /// `named`: only the refs a report can name (those of the check's pairs); nil: every one.
    func views(
        of lines: [WorkLine], naming new: [CrossConflict], only named: Set<String>? = nil, line: Coordination,
        commits: [ObjectID], root: String, cache: ParseCache
    ) -> [String: Guard.RefView] {
        // The views made, in order; when each is the run's one view of its ref, the run's
        // dictionary of them is the answer, shared by every check (a check looks up only
        // the refs its pairs name), not a dictionary per check.
        var made: [(String, Guard.RefView)] = []
        made.reserveCapacity(named?.count ?? lines.count)
        var shared = named != nil
        // The targets of the new pairs that the line has no document for, by ref (once,
        // not a pass over the pairs for each ref: a push of a thousand refs has a
        // thousand pairs against as many refs in each check).
        var wantedBy: [String: Set<Exact>] = [:]
        // Whether the line has each target, asked once per target (a thousand pairs share one).
        var lineHas: [Exact: Bool] = [:]
        for c in new {
            guard let name = c.bRef else { continue }
            for t in c.shared {
                let x = Exact(t)
                let has = lineHas[x] ?? (line.node(t) != nil)
                lineHas[x] = has
                if !has { wantedBy[name, default: []].insert(x) }
            }
        }
        let also = pieces(line: commits, root: root, cache: cache).also
        // The lines come in the order of the refs (the watch's order): each ref found by
        // walking the two together, else searched for.
        var next = 0
        for w in lines {
            guard let name = w.ref, named?.contains(name) ?? true else { continue }
            while next < refs.count && refs[next].name != name { next += 1 }
            if next == refs.count { next = refs.firstIndex { $0.name == name } ?? refs.count }
            guard next < refs.count else { continue }
            let ref = refs[next]
            let held = also.isEmpty ? [:] : also[ref.name] ?? [:]
            guard let wanted = wantedBy.isEmpty ? nil : wantedBy[ref.name], !wanted.isEmpty else {
                // The same view as another check of this run made: shared, not copied (the
                // checks of a push of many refs each view every other ref).
                if let kept = memo.views[ref.name], kept.ref.tip == ref.tip, kept.targetPaths.isEmpty, kept.also == held,
                    kept.isMade(from: w.items)
                {
                    made.append((ref.name, kept))
                    continue
                }
                let view = Guard.RefView(ref: ref, items: w.items, targetPaths: [:], also: held)
                memo.views[ref.name] = view
                made.append((ref.name, view))
                continue
            }
            var targetPaths: [Exact: String] = [:]
            // Every such target's path in one pass over the ref's graph.
            if let tip = graph(ref.tip, root: root, cache: cache) {
                for (t, state) in tip.states(of: wanted).states { targetPaths[t] = state.path }
            }
            made.append((ref.name, Guard.RefView(ref: ref, items: w.items, targetPaths: targetPaths, also: held)))
            shared = false
        }
        // Shared only when every ref named has its view here: the run's dictionary holds views
        // of refs this check has none of (a ref whose pair was resolved).
        return shared && made.count == named?.count ? memo.views : Dictionary(made, uniquingKeysWith: { _, last in last })
    }
}
