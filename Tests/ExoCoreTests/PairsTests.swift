import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGraph
@testable import ExoModel

/// Pairs read one at a time: the streamed comparison and the filtered pairs against the
/// whole lists, on random graphs (DerivedViewTests' generator).
@Suite struct PairsTests {
    let graphs = DerivedViewTests()

    @Test func aStreamedComparisonCountsWhatTheWholeOneLists() {
        var r = DerivedViewTests.Random(state: 11)
        var compared = 0
        for _ in 0..<400 {
            let before = graphs.randomTree(&r)
            let after = before.copy()
            graphs.mutate(after, &r)
            let base = Coordination(Graph(documents: before.documents()))
            let target = Coordination(Graph(documents: after.documents()))
            let (whole, plain) = Probe.recorded { GraphDiff(base: base, target: target) }
            // Streamed: every side counts as large; and it really streamed.
            let (streamed, seen) = Probe.recorded { GraphDiff(base: base, target: target, materializedPairs: -1) }
            #expect(seen[.streamedDiff] == 1 && seen[.wholeDiff] == 0)
            #expect(plain[.wholeDiff] == 1 && plain[.streamedDiff] == 0)
            #expect(
                streamed.counts
                    == GraphDiff.Counts(new: whole.new.count, existing: whole.existing.count, resolved: whole.resolved.count))
            #expect(streamed.new == Array(whole.new.prefix(GraphDiff.kept)))
            #expect(streamed.existing == Array(whole.existing.prefix(GraphDiff.kept)))
            #expect(streamed.resolved == Array(whole.resolved.prefix(GraphDiff.kept)))
            var shared: [String: Int] = [:]
            for c in whole.new { for t in c.shared { shared[t, default: 0] += 1 } }
            #expect(streamed.newShared == shared)
            // Streamed with every id counted as changed: the activated ids' pairs apart.
            let apart = GraphDiff(base: base, target: target, materializedPairs: -1, changedLimit: -1)
            #expect(apart.counts == streamed.counts && apart.newShared == shared)
            #expect(apart.new == streamed.new && apart.existing == streamed.existing && apart.resolved == streamed.resolved)
            if whole.counts.new + whole.counts.existing > 0 { compared += 1 }
            // Against a base with nothing active: every pair new, counted from the index.
            let fresh = GraphDiff(base: Coordination(.empty), target: target)
            let freshStreamed = GraphDiff(base: Coordination(.empty), target: target, materializedPairs: -1)
            #expect(freshStreamed.counts == fresh.counts && freshStreamed.new == Array(fresh.new.prefix(GraphDiff.kept)))
            #expect(freshStreamed.newShared == fresh.newShared)
            // The pairs touching some ids: the whole list, filtered.
            let ids = Set(target.active.filter { _ in r.below(3) == 0 }.map { Exact($0) })
            #expect(
                target.conflicts(touching: ids)
                    == target.conflicts.filter { ids.contains(Exact($0.a)) || ids.contains(Exact($0.b)) })
            #expect(
                Array(target.pairs(avoiding: ids))
                    == target.conflicts.filter { !ids.contains(Exact($0.a)) && !ids.contains(Exact($0.b)) })
        }
        #expect(compared > 50)  // graphs with pairs to compare, so the test can fail
    }

    @Test func theTextOutputCountsBeforeItLists() {
        var r = DerivedViewTests.Random(state: 5)
        for _ in 0..<100 {
            let view = Coordination(Graph(documents: graphs.randomTree(&r).documents()))
            let text = ExoOutput.conflicts(view, json: false)
            let lines = text.split(separator: "\n")
            if view.conflicts.isEmpty {
                #expect(text == "exo: no conflicts among \(view.active.count) active work item(s)\n")
            } else {
                #expect(lines[0] == "exo: \(view.conflicts.count) conflict(s) among \(view.active.count) active work item(s):")
                #expect(lines.count == view.conflicts.count + 1)
            }
        }
    }

    /// Changes that share many targets: few pairs, many (pair, shared target) entries. What
    /// is kept whole follows the entries.
    @Test func sharedTargetsNotPairsDecideWhatIsKeptWhole() {
        let targets = (0..<1000).map { "m\($0)" }
        func change(_ id: String, _ targets: [String]) -> GraphDocument {
            GraphDocument(id: id, path: "changes/\(id).md", status: .string("active"), assignee: nil, targets: targets)
        }
        // 50 changes on the same 1,000 targets: 1,225 pairs, 1,225,000 entries.
        let many = Coordination(Graph(documents: (0..<50).map { change("c\($0)", targets) }))
        #expect(many.pairBound == 1_225_000 && many.pairBound > Coordination.materializedEntries)
        #expect(many.pairCount == 1225)
        // 15 of them: 105 pairs, 105,000 entries, between the two limits: the pairs counted.
        let some = Coordination(Graph(documents: (0..<15).map { change("c\($0)", targets) }))
        #expect(some.pairBound == 105)

        // A view derived from its base holds its changed ids' pairs: not past the limit.
        let base = [change("old", ["auth"])]
        let baseView = Coordination(Graph(documents: base))
        let few = Graph(documents: base + (0..<5).map { change("n\($0)", targets) })  // 10,000 entries
        let derived = Coordination(few, derivedFrom: baseView)
        #expect(derived != nil)
        #expect(derived?.conflicts == Coordination(few).conflicts)
        let past = Graph(documents: base + (0..<16).map { change("n\($0)", targets) })  // 120,000 entries
        #expect(Coordination(past, derivedFrom: baseView) == nil)
        // Compared streamed all the same, and the pairs touching the new ids are all new.
        let diff = GraphDiff(base: baseView, target: Coordination(past))
        #expect(diff.counts == GraphDiff.Counts(new: 120, existing: 0, resolved: 0))
        #expect(diff.newShared["m0"] == 120 && diff.new.count == 120)
        // Streamed, each list holds at most `keptEntries` shared targets: 100 pairs here.
        let manyDiff = GraphDiff(base: baseView, target: many)
        #expect(manyDiff.counts.new == 1225 && manyDiff.newShared["m999"] == 1225)
        #expect(manyDiff.new.count == GraphDiff.keptEntries / 1000)
        #expect(manyDiff.new == Array(many.conflicts.prefix(manyDiff.new.count)))
        // Fewer kept than a report lists: it lists those and counts the rest.
        let wide = Coordination(Graph(documents: (0..<12).map { change("w\($0)", (0..<50_000).map { "t\($0)" }) }))
        let wideDiff = GraphDiff(base: baseView, target: wide)
        #expect(wideDiff.counts.new == 66 && wideDiff.new.count == 2)
        let check = Guard.Check(
            base: "b", target: "t", title: "a push",
            workspaces: [
                Guard.WorkspaceCheck(
                    root: "", diff: wideDiff, branches: .none, refs: [:], fields: [:], doubtful: [], doubtfulCount: 0,
                    baseError: nil)
            ])
        let text = GuardReport(verdict: Guard.Verdict(mode: .block, checks: [check]), bypass: nil).text
        #expect(text.components(separatedBy: "\n  new conflict ").count - 1 == 2)
        #expect(text.contains("and 64 more new conflict(s)"))
        #expect(text.contains(": t0: shared by 64 of them;"))
    }
}
