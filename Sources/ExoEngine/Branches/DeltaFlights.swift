import ExoGraph
import ExoModel
import ExoSnapshot

extension WorkLine {
    /// The flights of a ref read from what changed, with no graph of its own: the
    /// documents of a graph already read (`anchor`, the line's), the documents that differ
    /// between it and the merge base (`toMergeBase`), and those that differ between the
    /// merge base and the ref's tip (`toTip`).
    ///
    /// The same as `flights(tip:mergeBase:)`: a change's state is made from its documents
    /// alone, and only an id with a document among `toTip`'s can differ in state between the
    /// merge base and the tip. An id's documents at the merge base are the anchor's, less
    /// the paths `toMergeBase` holds, plus its documents there; at the tip, the same again
    /// with `toTip`; each in walk order.
    package static func flights(anchor: Graph, toMergeBase: DocumentDelta, toTip: DocumentDelta) -> [Flight] {
        var ids = Set<Exact>()
        for doc in toTip.before { ids.insert(Exact(doc.id)) }
        for doc in toTip.after { ids.insert(Exact(doc.id)) }
        let atAnchor = anchor.documents(withIDs: ids)
        // Each delta's documents by id, once (not a pass over them for every id).
        let toBaseByID = Dictionary(grouping: toMergeBase.after.filter { ids.contains(Exact($0.id)) }) { Exact($0.id) }
        let toTipByID = Dictionary(grouping: toTip.after) { Exact($0.id) }
        var out: [Flight] = []
        for id in ids.sorted() {
            let atBase = apply(toMergeBase, added: toBaseByID[id] ?? [], to: atAnchor[id] ?? [])
            let atTip = apply(toTip, added: toTipByID[id] ?? [], to: atBase)
            guard let there = ChangeState(documents: atTip) else { continue }
            let before = ChangeState(documents: atBase)
            if Flight.isTakenUp(there, from: before) { out.append(Flight(id: id.string, there: there, before: before)) }
        }
        return out
    }

    /// An id's documents on the second side of `delta` (where its documents there are
    /// `added`), given those on its first side.
    private static func apply(_ delta: DocumentDelta, added: [GraphDocument], to documents: [GraphDocument])
        -> [GraphDocument]
    {
        let kept = documents.filter { !delta.paths.contains(Exact($0.path)) }
        if added.isEmpty { return kept }
        return (kept + added).sorted { SnapPath.walksBefore($0.path, $1.path) }
    }
}
