import ExoGraph
import ExoModel

extension Guard {
    /// Compares `base` and `target` in each workspace of `roots` and against the work in
    /// flight on the watched refs. A base that cannot be read never blocks: the target is
    /// judged against the empty graph with every conflict it holds counted as existing.
    public static func compare(
        base: LineState, target: LineState, title: String, roots: [Root],
        watch: Watch?, cache: ParseCache
    ) throws(ExoError) -> Check {
        var checks: [WorkspaceCheck] = []
        for root in roots {
            var baseError: ExoError? = nil
            var baseGraph = Graph.empty
            if let r = root.base {
                do { baseGraph = try graph(of: base.snapshot, root: r, cache: cache) } catch { baseError = error }
            }
            // With no cache to start from, the cache's file is written while the views are made.
            cache.flushSoon()
            let before = Coordination.view(of: baseGraph, cache: cache)
            let after = Coordination.view(
                of: try graph(of: target.snapshot, root: root.target, cache: cache), near: before, cache: cache)
            let diff = baseError == nil ? GraphDiff(base: before, target: after) : GraphDiff(unreadableBase: after)
            var branches = BranchDiff.none
            var refs: [String: RefView] = [:]
            var elsewhere: [Doubtful] = []
            if let watch, let tree = root.tree {
                (branches, refs) = watch.compare(
                    before: before, baseLine: base.commits, after: after, targetLine: target.commits, root: tree,
                    baseReadable: baseError == nil, cache: cache)
                elsewhere = watch.takenUpElsewhere(
                    before: before, baseLine: base.commits, after: after, targetLine: target.commits, root: tree,
                    cache: cache
                ).map { Doubtful(id: $0.id, path: $0.path, why: Doubtful.takenUpElsewhere, value: $0.ref) }
            }
            var fields: [String: [String: [String]]] = [:]
            let advised = Advice.advised(diff, branches)
            if !advised.isEmpty {
                let advice = Advice(snapshot: target.snapshot, root: root.target)
                for id in advised {
                    guard let path = after.node(id)?.path else { continue }
                    fields[id] = advice.fields(of: path)
                }
            }
            let doubtful = Doubtful.find(diff, snapshot: target.snapshot, root: root.target)
            let first = (doubtful.first + elsewhere).sorted {
                (Exact($0.id), Exact($0.path), Exact($0.why), Exact($0.value))
                    < (Exact($1.id), Exact($1.path), Exact($1.why), Exact($1.value))
            }
            checks.append(
                WorkspaceCheck(
                    root: root.report, diff: diff, branches: branches, refs: refs, fields: fields,
                    doubtful: Array(first.prefix(Doubtful.kept)), doubtfulCount: doubtful.count + elsewhere.count,
                    baseError: baseError))
        }
        return Check(base: base.label, target: target.label, title: title, workspaces: checks)
    }
}
