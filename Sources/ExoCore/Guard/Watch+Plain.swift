import ExoGit
import ExoGraph
import ExoModel
import ExoRules

/// The plain engine across branches (`EXO_GUARD_ENGINE=plain`): each watched ref's flights
/// by the definition, from whole views of its tip and its merge base with the line (no
/// delta, no cache of flights or cross states), the rules across refs (work that moved on,
/// one piece of work: ExoRules' `pieces`), then ExoRules' conflicts across lines, pair by
/// pair, and ExoRules' judgement. What the fast engine finds with indexes, derived states
/// and codecs, the same by definition; tests/test_engines.py asks both for the same
/// answer on random histories of many branches.
extension Watch {
    /// The cross-branch comparison of one workspace, plainly (`compare`'s plain twin).
    func comparePlainly(
        before: Coordination, baseLine: [ObjectID], after: Coordination, targetLine: [ObjectID],
        root: String, baseReadable: Bool, cache: ParseCache
    ) -> (BranchDiff, [String: Guard.RefView]) {
        Probe.plainCross.hit()
        let target = plainLines(after, commits: targetLine, root: root, cache: cache)
        let targetPairs = Rules.crossConflicts(target.rules)
        var judged: (new: [Rules.CrossPair], existing: [Rules.CrossPair], resolved: [Rules.CrossPair])
        if baseReadable {
            let base = plainLines(before, commits: baseLine, root: root, cache: cache)
            judged = Rules.judgeAcross(
                baseLocal: Self.localPairs(before), base: Rules.crossConflicts(base.rules),
                targetLocal: Self.localPairs(after), target: targetPairs)
        } else {
            judged = ([], targetPairs.filter { $0.aRef == nil }, [])
        }
        let diff = BranchDiff(
            new: CrossConflict.sorted(judged.new), existing: CrossConflict.sorted(judged.existing),
            resolved: CrossConflict.sorted(judged.resolved))
        return (diff, views(of: target.refs, naming: diff.new, line: after, commits: targetLine, root: root, cache: cache))
    }

    /// A view's own conflicts, by GRAPH.md §6's definition.
    private static func localPairs(_ view: Coordination) -> [Rules.Pair] {
        Rules.conflicts(active: view.active, targets: { view.targets(of: $0).map(\.string) })
    }

    /// One state of the line and the watched refs with changes taken up, as ExoRules' lines:
    /// the line's every active change, each ref's flights the line has not settled.
    private func plainLines(
        _ line: Coordination, commits: [ObjectID], root: String, cache: ParseCache
    ) -> (rules: [Rules.Line<ChangeState>], refs: [WorkLine]) {
        let flights = pieces(line: commits, root: root, cache: cache).flights
        let refLines = refs.compactMap { ref -> WorkLine? in
            let w = WorkLine(ref: ref.name, flights: flights[ref.name] ?? [], line: line)
            return w.items.isEmpty ? nil : w
        }
        func item(_ id: String, _ state: ChangeState, onLine: Bool) -> Rules.LineItem<ChangeState> {
            Rules.LineItem(id: id, state: state, targets: state.targets, takenUpOnLine: onLine)
        }
        let own = Rules.Line(
            ref: nil, items: line.active.compactMap { id in line.state(of: id).map { item(id, $0, onLine: false) } })
        return (
            [own]
                + refLines.map { w in
                    Rules.Line(ref: w.ref, items: w.items.map { item($0.id, $0.state, onLine: $0.takenUpOnLine) })
                },
            refLines
        )
    }

    /// A ref's flights against a line, by the definition: its tip's whole view against its
    /// merge base's (read with the tip's configuration when its own cannot be read); none
    /// when the ref is merged into the line.
    func plainFlights(_ ref: WatchedRef, line: [ObjectID], root: String, cache: ParseCache) -> [WorkLine.Flight] {
        let m = mergeBase(ref.tip, line)
        if m == ref.tip { return [] }
        guard let tip = graph(ref.tip, root: root, cache: cache) else {
            memo.unreadable[ref.name] = memo.graphErrors[ref.tip.description + "\u{0}" + root] ?? "cannot be read"
            return []
        }
        let base = m.flatMap { mergeBaseGraph($0, tip: ref.tip, root: root, cache: cache) }
        return WorkLine.flights(tip: Coordination(tip), mergeBase: base.map { Coordination($0) })
    }
}
