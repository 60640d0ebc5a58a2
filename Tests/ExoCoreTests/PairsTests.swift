import Testing

@testable import ExoCore
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
            let whole = GraphDiff(base: base, target: target)
            // Streamed: every side counts as large.
            let streamed = GraphDiff(base: base, target: target, materializedPairs: -1)
            #expect(
                streamed.counts
                    == GraphDiff.Counts(new: whole.new.count, existing: whole.existing.count, resolved: whole.resolved.count))
            #expect(streamed.new == Array(whole.new.prefix(GraphDiff.kept)))
            #expect(streamed.existing == Array(whole.existing.prefix(GraphDiff.kept)))
            #expect(streamed.resolved == Array(whole.resolved.prefix(GraphDiff.kept)))
            var shared: [String: Int] = [:]
            for c in whole.new { for t in c.shared { shared[t, default: 0] += 1 } }
            #expect(streamed.newShared == shared)
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
}
