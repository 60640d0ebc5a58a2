import ExoGraph
import ExoModel

/// One state of a line of work against the watched refs: the line's changes that can meet
/// theirs, each ref's line (the changes in flight there that the line has not settled) and
/// the conflicts across all the lines. A function of the line's view and the refs' flights,
/// so it is cached under the line's tree and those flights: a commit's target state is the
/// next commit's base state.
package struct CrossState: Sendable {
    /// The line's active changes that can meet the refs' (`WorkLine(line:meeting:)`).
    package let line: WorkLine
    /// The refs with changes in flight, in the order they are watched.
    package let refs: [WorkLine]
    /// `CrossConflict.among` the line and `refs`.
    package let conflicts: [CrossConflict]

    /// Only the pairs with a side whose id is on the line: a pair between two refs counts
    /// for the line (BranchDiff) only under the key of a pair the line has; those the line
    /// does not have are listed by `conflicts --branches`, which pairs every line.
    package init(line: WorkLine, refs: [WorkLine]) {
        self.line = line
        self.refs = refs
        conflicts = CrossConflict.among([line] + refs, touching: WorkLine.lineIDs(line, refs))
    }

    /// The ids the line holds: its items', and those a ref holds that the line took up too.
    package var lineIDs: Set<Exact> { WorkLine.lineIDs(line, refs) }

    init(line: WorkLine, refs: [WorkLine], conflicts: [CrossConflict]) {
        self.line = line
        self.refs = refs
        self.conflicts = conflicts
    }
}

extension CrossState {
    /// The cross state of `view`, derived from `near`, the cross state of the view `view`
    /// was derived from (a commit's index from HEAD) on the same line commits, so with the
    /// same flights (`flights`: each watched ref with changes in flight, in watch order):
    /// every ref line and line item of an unchanged id is `near`'s, the changed ids' are
    /// made again from the states the derivation read, and of the pairs only those with a
    /// changed side are found again. Nil (compute it whole) when `view` was not derived from `nearView`, or
    /// when a change comes in flight on a ref that `near` did not hold there (its targets
    /// could meet line changes `near` left out).
    ///
    /// Why the line's items may be `near`'s: an unchanged id's state is the same in both
    /// views, and the refs' items are the same or fewer, so every change that can meet them
    /// is among `near`'s items or the changed ids; an item that meets nothing makes no pair.
    package init?(
        of view: Coordination, derivedFrom near: CrossState, of nearView: Coordination,
        flights: [(ref: String, flights: [WorkLine.Flight])]
    ) {
        guard let d = view.derivation, d.base == nearView.graph.identity else { return nil }
        let changed = ExactLookup(d.changed)
        var before: [String: WorkLine] = [:]
        for w in near.refs { if let name = w.ref { before[name] = w } }
        var refLines: [WorkLine] = []
        for (ref, found) in flights {
            let old = before[ref]
            guard found.contains(where: { changed.contains(Exact($0.id)) }) else {
                if let old { refLines.append(old) }
                continue
            }
            let kept = Dictionary((old?.items ?? []).map { (Exact($0.id), $0) }, uniquingKeysWith: { x, _ in x })
            var items: [WorkLine.Item] = []
            for f in found {
                let id = Exact(f.id)
                guard changed.contains(id) else {
                    if let item = kept[id] { items.append(item) }
                    continue
                }
                guard let item = WorkLine.item(for: f, here: d.states[id]) else { continue }
                if kept[id] == nil { return nil }  // newly in flight against this line
                items.append(item)
            }
            if !items.isEmpty { refLines.append(WorkLine(ref: ref, items: items)) }
        }
        var lineItems = near.line.items.filter { !changed.contains(Exact($0.id)) }
        for (id, state) in d.states where state.isActive {
            lineItems.append(WorkLine.Item(id: id.string, state: state, takenUpOnLine: false))
        }
        lineItems.sort { Exact($0.id) < Exact($1.id) }
        // A pair of two unchanged ids is made of the same items as in `near`: it is
        // `near`'s; the pairs with a changed side are found again.
        let line = WorkLine(ref: nil, items: lineItems)
        let unchanged = near.conflicts.filter { !changed.contains(Exact($0.a)) && !changed.contains(Exact($0.b)) }
        // As `init(line:refs:)` would: the pairs touching an id on the line, those of the
        // changed ids found again.
        let onLine = WorkLine.lineIDs(line, refLines)
        let found = CrossConflict.among([line] + refLines, touching: d.changed).filter {
            onLine.contains(Exact($0.a)) || onLine.contains(Exact($0.b)) || $0.aRef == nil
        }
        // Both lists are sorted already: one pass merges them.
        self.init(line: line, refs: refLines, conflicts: CrossConflict.merged(unchanged, found))
    }
}

extension CrossState {
    /// This state with one ref left out: its line gone, the line's changes that met only
    /// that ref's gone with it, and of the pairs those between the lines left that touch
    /// an id the line still holds. Each of those is a pair of `init(line:refs:)` on the
    /// lines left (the same items, and an item of the line meeting a ref left still
    /// meets it), and each of its pairs is one of these.
    package func without(ref: String, line view: Coordination) -> CrossState {
        let kept = refs.filter { $0.ref != ref }
        guard kept.count != refs.count else { return self }
        // Fewer refs meet fewer of the line's changes: none when none met them all.
        let line = self.line.items.isEmpty ? self.line : WorkLine(line: view, meeting: kept)
        let onLine = WorkLine.lineIDs(line, kept)
        return CrossState(
            line: line, refs: kept,
            conflicts: conflicts.filter {
                $0.aRef != ref && $0.bRef != ref && (onLine.contains(Exact($0.a)) || onLine.contains(Exact($0.b)))
            })
    }
}

extension WorkLine {
    /// The ids `line` holds: its items', and those of the refs' items the line took up too
    /// (a claim on the line has no item of its own).
    package static func lineIDs(_ line: WorkLine, _ refs: [WorkLine]) -> Set<Exact> {
        var ids = Set(line.items.map { Exact($0.id) })
        for r in refs { for item in r.items where item.takenUpOnLine { ids.insert(Exact(item.id)) } }
        return ids
    }
}
