import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

extension Guard {
    /// Compares `base` and `target` in each workspace of `roots` and against the work in
    /// flight on the watched refs. A base that cannot be read never blocks: the target is
    /// judged against the empty graph with every conflict it holds counted as existing.
    public static func compare(
        base: LineState, target: LineState, title: String, roots: [Root],
        watch: Watch?, cache: ParseCache, engine: any Engine = FastEngine(), bases: BaseViews? = nil
    ) throws(ExoError) -> Check {
        var checks: [WorkspaceCheck] = []
        for root in roots {
            // A base at commits that an earlier check of the run started from too (the new
            // refs of one push): its graph and view as that check made them.
            let key =
                base.commits.isEmpty ? nil : (base.commits.map(\.description) + [root.base ?? "\u{0}"]).joined(separator: " ")
            var baseError: ExoError? = nil
            let before: Coordination
            var workspace: Workspace? = nil
            if let key, let kept = bases?.kept[key] {
                (baseError, before, workspace) = (kept.error, kept.view, kept.workspace)
            } else {
                var baseGraph = Graph.empty
                if let r = root.base {
                    do {
                        workspace = try Self.workspace(of: base.snapshot, root: r, cache: cache)
                        baseGraph = try workspace?.graph() ?? .empty
                    } catch { baseError = error }
                }
                // With no cache to start from, the cache's file is written while the views are made.
                cache.flushSoon()
                before = engine.view(of: baseGraph, near: nil, cache: cache)
                if let key { bases?.kept[key] = (baseError, before, workspace) }
            }
            // The target's graph, made from the base's when that is exact (then by files that
            // touch no configuration: the base's workspace has the target's), else walked; its
            // workspace's configuration serves the advice and the doubtful changes.
            let targetWorkspace: Workspace?
            let targetGraph: Graph
            if engine.readsDeltas,
                let made = Self.graph(of: target, from: base, view: before, workspace: workspace, root: root, cache: cache)
            {
                (targetWorkspace, targetGraph) = (workspace, made)
            } else {
                targetWorkspace = try Self.workspace(of: target.snapshot, root: root.target, cache: cache)
                targetGraph = try targetWorkspace?.graph() ?? .empty
            }
            let after = engine.view(of: targetGraph, near: before, cache: cache)
            let diff = baseError == nil ? engine.judge(base: before, target: after) : GraphDiff(unreadableBase: after)
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
                let advice = Advice(snapshot: target.snapshot, root: root.target, workspace: targetWorkspace)
                for id in advised {
                    guard let path = after.node(id)?.path else { continue }
                    fields[id] = advice.fields(of: path)
                }
            }
            let doubtful = Doubtful.find(diff, snapshot: target.snapshot, root: root.target, workspace: targetWorkspace)
            let first = (doubtful.first + elsewhere).sorted {
                (Exact($0.id), Exact($0.path), Exact($0.why), Exact($0.value))
                    < (Exact($1.id), Exact($1.path), Exact($1.why), Exact($1.value))
            }
            var check = WorkspaceCheck(
                root: root.report, diff: diff, branches: branches, refs: refs, fields: fields,
                doubtful: Array(first.prefix(Doubtful.kept)), doubtfulCount: doubtful.count + elsewhere.count,
                baseError: baseError)
            var paths = Set(check.doubtful.map(\.path))
            for id in diff.new.prefix(Self.locatedPairs).flatMap({ [$0.a, $0.b] })
                + branches.new.prefix(Self.locatedPairs).map(\.a)
            {
                if let path = after.node(id)?.path { paths.insert(path) }
            }
            for path in paths {
                let bytes = try? target.snapshot.read(SnapPath.join(root.target, path))
                check.statusLines[path] = bytes.map(Self.statusLine) ?? 1
            }
            checks.append(check)
        }
        return Check(base: base.label, target: target.label, title: title, workspaces: checks)
    }

    /// The target's graph made from the base's (`view`'s, read with `workspace`) and the
    /// files that differ between the two commits (`TreeDelta`, `Graph.applying`), when that
    /// is exact: the same root on both sides, a base graph from folders with no symlink
    /// (`Graph.applying` asks), no configuration, overlay or symlink changed, few files. Nil otherwise (then the
    /// target is walked): a pushed branch that changed one file costs that file, not its
    /// folders.
    static func graph(
        of target: LineState, from base: LineState, view: Coordination, workspace: Workspace?, root: Root,
        cache: ParseCache
    ) -> Graph? {
        guard let workspace, let r = root.base, Exact(r) == Exact(root.target),
            let files = TreeDelta(
                from: base.snapshot, to: target.snapshot, root: r, configInputs: workspace.configInputs),
            files.files.count <= Self.derivedFiles,
            let documents = try? workspace.documents(
                of: files, first: base.snapshot, second: target.snapshot, cache: cache),
            let made = view.graph.applying(documents, key: workspace.topKey(in: target.snapshot))
        else { return nil }
        Probe.derivedGraph.hit()
        return made
    }

    /// Past this many differing files the target is walked.
    static let derivedFiles = 256

    /// The base states a run's checks made, by commits and root, with the workspace each
    /// base's graph was read with.
    public final class BaseViews {
        var kept: [String: (error: ExoError?, view: Coordination, workspace: Workspace?)] = [:]
        /// None yet.
        public init() {}
    }

    /// How many new pairs of a workspace get a located annotation (the rest are counted).
    static let locatedPairs = 1000

    /// The 1-based line of the `status:` key in a document's frontmatter; 1 when none.
    static func statusLine(_ bytes: [UInt8]) -> Int {
        var line = 1
        var start = 0
        var inFrontmatter = false
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            let text = bytes[start..<i]
            let trimmed = text.last == 0x0D ? text.dropLast() : text
            if line == 1 {
                guard trimmed.elementsEqual("---".utf8) else { return 1 }
                inFrontmatter = true
            } else if inFrontmatter {
                if trimmed.elementsEqual("---".utf8) { return 1 }
                if trimmed.starts(with: "status:".utf8) { return line }
            }
            line += 1
            start = i + 1
            if line > 100_000 { break }
        }
        return 1
    }
}
