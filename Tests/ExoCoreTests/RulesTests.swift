import ExoRules
import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel

/// The engines against the rules: ExoGraph's indexed views, streamed comparison and
/// cross-line index on the same random cases as ExoRules' plain definitions, asked for the
/// same answer. (The engines that call a rule directly, `isTakenUp`, `settles` and the
/// decision, are the rule.)
@Suite struct RulesTests {
    let graphs = DerivedViewTests()
    typealias Random = DerivedViewTests.Random

    static func rules(_ view: Coordination) -> [Rules.Pair] {
        Rules.conflicts(active: view.active, targets: { view.targets(of: $0).map(\.string) })
    }

    /// exo's conflicts (GRAPH.md §6): the indexed view's equal the pairwise definition,
    /// ids that are canonically equivalent but not equal (`été`, `e\u{301}té`) included.
    @Test func conflictsAreTheRule() {
        var r = Random(state: 23)
        var nonEmpty = 0
        for _ in 0..<300 {
            let view = Coordination(Graph(documents: graphs.randomTree(&r).documents()))
            #expect(view.conflicts == Self.rules(view))
            if !view.conflicts.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 30)
    }

    /// What a commit adds (GUARD.md, "What the guard decides"): the whole and the streamed
    /// comparison equal the rule's judgement, list by list.
    @Test func theJudgementIsTheRule() {
        var r = Random(state: 29)
        var judged = (new: 0, existing: 0, resolved: 0)
        for _ in 0..<1500 {
            let before = graphs.randomTree(&r)
            let after = before.copy()
            for _ in 0...r.below(6) { graphs.mutate(after, &r) }
            let base = Coordination(Graph(documents: before.documents()))
            let target = Coordination(Graph(documents: after.documents()))
            let rule = Rules.judge(
                base: Self.rules(base), target: Self.rules(target), activeInBase: base.active,
                activeInTarget: target.active)
            for diff in [
                GraphDiff(base: base, target: target), GraphDiff(base: base, target: target, materializedPairs: -1),
            ] {
                #expect(diff.new == rule.new)
                #expect(diff.existing == rule.existing)
                #expect(diff.resolved == rule.resolved)
                #expect(diff.activated == rule.activated)
            }
            judged.new += rule.new.count
            judged.existing += rule.existing.count
            judged.resolved += rule.resolved.count
        }
        #expect(judged.new > 60 && judged.existing > 150 && judged.resolved > 50)  // so the test can fail
    }

    /// Random lines of work: the line and up to three refs, changes active or only claimed.
    static func randomLines(_ r: inout Random) -> [WorkLine] {
        let ids = ["a", "b", "c", "d", "e\u{301}", "\u{e9}"]
        let targets = ["m1", "m2", "m3", "m4"]
        func item(onRef: Bool) -> WorkLine.Item {
            let ts = Set((0..<r.below(3)).map { _ in r.pick(targets) }).sorted()
            let active = !onRef || r.below(4) != 0
            let state = ChangeState(
                status: .string(active ? "active" : "draft"), targets: ts,
                assignee: r.below(3) == 0 ? .string(r.pick(["x", "y"])) : nil, path: "changes/x.md", isActive: active)
            return WorkLine.Item(id: r.pick(ids), state: state, takenUpOnLine: onRef && r.below(2) == 0)
        }
        var lines = [WorkLine(ref: nil, items: (0..<r.below(5)).map { _ in item(onRef: false) })]
        for n in 0..<r.below(4) {
            lines.append(WorkLine(ref: "refs/heads/r\(n)", items: (0..<r.below(3)).map { _ in item(onRef: true) }))
        }
        return lines
    }

    static func rules(_ lines: [WorkLine]) -> [Rules.Line<ChangeState>] {
        lines.map { line in
            Rules.Line(
                ref: line.ref,
                items: line.items.map {
                    Rules.LineItem(id: $0.id, state: $0.state, targets: $0.state.targets, takenUpOnLine: $0.takenUpOnLine)
                })
        }
    }

    static func key(_ c: Rules.CrossPair) -> String { "\(c.a) \(c.aRef ?? "") \(c.b) \(c.bRef ?? "") \(c.shared)" }

    /// Conflicts across lines: the index over targets and ids finds what the pairwise
    /// definition finds (a claim on a ref shares no target; a claim on the line pairs with
    /// each ref holding the change).
    @Test func conflictsAcrossLinesAreTheRule() {
        var r = Random(state: 31)
        var found = 0
        for _ in 0..<600 {
            let lines = Self.randomLines(&r)
            let fast = CrossConflict.among(lines).map(Self.key).sorted()
            let rule = Rules.crossConflicts(Self.rules(lines))
            #expect(fast == rule.map(Self.key).sorted())
            found += fast.count
            // Only the pairs touching some ids: those of the rule with a side among them (the
            // index then holds only the places that can pair with one).
            let ids = Set(lines.flatMap(\.items).map { Exact($0.id) }.filter { _ in r.below(4) == 0 })
            let touching = CrossConflict.among(lines, touching: ids).map(Self.key).sorted()
            #expect(
                touching
                    == rule.filter { ids.contains(Exact($0.a)) || ids.contains(Exact($0.b)) }.map(Self.key).sorted())
        }
        #expect(found > 300)
    }

    /// A line state with one ref left out (a push's wide watch less a check's own ref) is the
    /// state made directly of the other refs: the same line items, pairs and line ids.
    @Test func aStateLessOneRefIsTheStateOfTheOthers() {
        var r = Random(state: 53)
        var pairs = 0
        for _ in 0..<400 {
            let view = Coordination(Graph(documents: graphs.randomTree(&r).documents()))
            let ids = view.active + ["c1", "c2", "c3"]
            let targets = ["m1", "m2", "m3", "gate-a", "x"]
            func item() -> WorkLine.Item {
                let active = r.below(4) != 0
                let state = ChangeState(
                    status: .string(active ? "active" : "draft"),
                    targets: Set((0..<r.below(3)).map { _ in r.pick(targets) }).sorted(), assignee: nil,
                    path: "changes/x.md", isActive: active)
                return WorkLine.Item(id: r.pick(ids), state: state, takenUpOnLine: r.below(3) == 0)
            }
            let refs = (0..<(1 + r.below(4))).map { n in
                WorkLine(ref: "refs/heads/r\(n)", items: (0..<(1 + r.below(3))).map { _ in item() })
            }
            let whole = CrossState(line: WorkLine(line: view, meeting: refs), refs: refs)
            let left = r.pick(refs).ref!
            let others = refs.filter { $0.ref != left }
            let less = whole.without(ref: left, line: view)
            let direct = CrossState(line: WorkLine(line: view, meeting: others), refs: others)
            // (Items of one id twice on a ref, which the generator makes, pair in either order.)
            #expect(less.conflicts.map(Self.key).sorted() == direct.conflicts.map(Self.key).sorted())
            #expect(less.line.items.map(\.id) == direct.line.items.map(\.id))
            #expect(less.refs.map(\.ref) == direct.refs.map(\.ref))
            #expect(less.lineIDs == direct.lineIDs)
            pairs += whole.conflicts.count
        }
        #expect(pairs > 200)  // so the test can fail
    }

    /// Two sorted lists of pairs merged: what sorting both together gives.
    @Test func sortedPairsMergeAsTheySort() {
        var r = Random(state: 47)
        let ids = ["a", "ab", "b", "é", "e\u{301}", "z"]
        let refs: [String?] = [nil, "refs/heads/x", "refs/heads/x/y", "refs/heads/é"]
        func random() -> CrossConflict {
            CrossConflict(a: r.pick(ids), aRef: r.pick(refs), b: r.pick(ids), bRef: r.pick(refs), shared: [])
        }
        for _ in 0..<500 {
            let x = CrossConflict.sorted((0..<r.below(8)).map { _ in random() })
            let y = CrossConflict.sorted((0..<r.below(8)).map { _ in random() })
            #expect(CrossConflict.merged(x, y).map(Self.key) == CrossConflict.sorted(x + y).map(Self.key))
        }
    }

    /// What a commit adds across lines: `BranchDiff` equals the rule, on a base and a target
    /// state whose lines share refs, with local pairs on either side.
    @Test func theJudgementAcrossLinesIsTheRule() {
        var r = Random(state: 37)
        var judged = (new: 0, existing: 0, resolved: 0)
        func local(_ lines: [WorkLine]) -> [Coordination.Conflict] {
            let ids = Set(lines[0].items.map(\.id)).sorted(by: Rules.precedes)
            var out: [Coordination.Conflict] = []
            for (i, a) in ids.enumerated() {
                for b in ids[(i + 1)...] where r.below(3) == 0 { out.append(.init(a: a, b: b, shared: ["m1"])) }
            }
            return out
        }
        for _ in 0..<600 {
            let before = Self.randomLines(&r)
            // The target: the base's refs, each kept or redrawn, and a new line.
            var after = Self.randomLines(&r)
            if r.below(2) == 0 { after = [after[0]] + before.dropFirst() }
            let baseCross = CrossConflict.among(before)
            let targetCross = CrossConflict.among(after)
            let baseLocal = local(before)
            let targetLocal = local(after)
            let fast = BranchDiff(baseLocal: baseLocal, base: baseCross, targetLocal: targetLocal, target: targetCross)
            let rule = Rules.judgeAcross(
                baseLocal: baseLocal, base: baseCross, targetLocal: targetLocal, target: targetCross)
            #expect(fast.new.map(Self.key).sorted() == rule.new.map(Self.key).sorted())
            #expect(fast.existing.map(Self.key).sorted() == rule.existing.map(Self.key).sorted())
            #expect(fast.resolved.map(Self.key).sorted() == rule.resolved.map(Self.key).sorted())
            judged.new += rule.new.count
            judged.existing += rule.existing.count
            judged.resolved += rule.resolved.count
        }
        #expect(judged.new > 100 && judged.existing > 30 && judged.resolved > 30, "\(judged)")
    }

    /// In flight on a ref (GUARD.md): the engine's flight, kept as an item of the ref's line
    /// when the line has not settled it and active there, is the rule's `isInFlight`.
    @Test func inFlightIsTheRule() {
        var r = Random(state: 41)
        func state() -> ChangeState? {
            guard r.below(5) != 0 else { return nil }
            let status = r.pick(["active", "draft", "done"])
            return ChangeState(
                status: .string(status), targets: r.below(2) == 0 ? ["m1"] : ["m1", "m2"],
                assignee: r.below(3) == 0 ? .string(r.pick(["x", "y"])) : nil, path: "changes/c.md",
                isActive: status == "active")
        }
        var inFlight = 0
        for _ in 0..<3000 {
            guard let there = state() else { continue }
            let (before, here) = (state(), state())
            let engine =
                WorkLine.Flight.isTakenUp(there, from: before) && there.isActive
                && WorkLine.item(for: WorkLine.Flight(id: "c", there: there, before: before), here: here) != nil
            #expect(engine == Rules.isInFlight(there: there, before: before, here: here, movedOn: false))
            #expect(!Rules.isInFlight(there: there, before: before, here: here, movedOn: true))
            if engine { inFlight += 1 }
        }
        #expect(inFlight > 200)
    }

    /// The decision: only new conflicts, strict doubts and an unreadable target count
    /// against a commit; the mode says block or warn.
    @Test func theDecisionIsTheRule() {
        for bits in 0..<32 {
            let (new, doubtful, strict, unreadable, blocks) =
                (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0, bits & 8 != 0, bits & 16 != 0)
            let verdict = Guard.Verdict(
                mode: blocks ? .block : .warn, checks: [], strict: strict,
                targetError: unreadable ? .unreadable(file: "x", cause: "y") : nil)
            let rule = Rules.decision(
                hasNew: new, hasDoubtful: doubtful, strict: strict, targetUnreadable: unreadable, blocks: blocks)
            if !new && !doubtful { #expect(verdict.decision == rule) }
            #expect((rule == .pass) == !(new || (strict && doubtful) || unreadable))
        }
    }
}
