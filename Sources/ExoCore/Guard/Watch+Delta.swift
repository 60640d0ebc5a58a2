import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoStore

/// A watched ref's flights read from the files it changed (`TreeDelta`), not its graphs.
extension Watch {
    /// A ref's flights read from what it changed since the merge base, and what the merge
    /// base changed since a commit of the line whose graph is read already (the anchor),
    /// file by file through tree ids (`TreeDelta`): no graph of the ref's own, no folder
    /// listed but those on the way to a change. Nil when that cannot be done exactly (no
    /// merge base, an anchor with a symlink or a folder not cached, a symlink, an input of
    /// the root's configuration, an overlay or a thin configuration changed, a file that
    /// cannot be read); then the two graphs are compared.
    func flightsByDelta(
        _ ref: WatchedRef, mergeBase m: ObjectID?, line: [ObjectID], root: String, cache: ParseCache
    ) -> [WorkLine.Flight]? {
        guard memo.byDelta, let m, let first = line.first, let anchor = graph(first, root: root, cache: cache),
            anchor.key != nil, let workspace = memo.workspaces[first.description + "\u{0}" + root],
            let toBase = delta(from: first, to: m, root: root, workspace: workspace, cache: cache),
            let toTip = delta(from: m, to: ref.tip, root: root, workspace: workspace, cache: cache)
        else { return nil }
        return WorkLine.flights(anchor: anchor, toMergeBase: toBase, toTip: toTip)
    }

    /// The documents that differ between two commits below `root`, read with the anchor's
    /// workspace; once per pair.
    private func delta(
        from a: ObjectID, to b: ObjectID, root: String, workspace: Workspace, cache: ParseCache
    ) -> DocumentDelta? {
        let key = [a.description, b.description, root].joined(separator: "\u{0}")
        if let hit = memo.deltas[key] { return hit }
        var found: DocumentDelta? = nil
        if let first = snapshot(a), let second = snapshot(b),
            let files = TreeDelta(from: first, to: second, root: root, configInputs: workspace.configInputs)
        {
            found = try? workspace.documents(of: files, first: first, second: second, cache: cache)
        }
        let held = (found?.before.count ?? 0) + (found?.after.count ?? 0)
        if memo.deltaDocuments + held > Self.heldDocuments {
            memo.deltas.removeAll()
            memo.deltaDocuments = 0
        }
        memo.deltas[key] = found
        memo.deltaDocuments += held
        return found
    }

    /// How many documents the deltas a run keeps for reuse may hold together.
    static let heldDocuments = 200_000
}
