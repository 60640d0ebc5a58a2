import Testing

@testable import ExoCore
@testable import ExoGraph

/// Work in flight across branches: the folder-by-folder reading of a ref's tip and merge
/// base (the fast path the watch uses) against the definition over exo's whole views, and
/// the indexed search for conflicts across lines against the pairwise definition.
@Suite struct BranchesTests {
    typealias Gen = DerivedViewTests

    /// The state of every id read from the folders equals the state the whole view reads.
    @Test func stateFromFoldersEqualsTheView() {
        var r = Gen.Random(state: 3)
        let gen = Gen()
        for _ in 0..<200 {
            let tree = gen.randomTree(&r)
            let view = Coordination(Graph(documents: tree.documents()))
            let graph = Graph(top: tree.subtree())
            for id in Gen.ids + Gen.targets {
                #expect(graph.state(of: id) == view.state(of: id))
                #expect(graph.state(of: id)?.path == view.state(of: id)?.path)
                #expect(graph.state(of: id)?.isActive == view.state(of: id)?.isActive)
            }
        }
    }

    /// Flights from the folders equal flights by the definition; and the folders the tip
    /// shares with its merge base are really passed over (the probe).
    @Test func flightsFromFoldersEqualTheDefinition() {
        var r = Gen.Random(state: 11)
        let gen = Gen()
        var skipped = 0
        var nonEmpty = 0
        for _ in 0..<500 {
            let base = gen.randomTree(&r)
            let tip = base.copy()
            gen.mutate(tip, &r)
            let plain = WorkLine.flights(
                tip: Coordination(Graph(documents: tip.documents())),
                mergeBase: Coordination(Graph(documents: base.documents())))
            let tipGraph = Graph(top: tip.subtree())
            let baseGraph = Graph(top: base.subtree())
            let fast = WorkLine.flights(tip: tipGraph, mergeBase: baseGraph)
            #expect(fast.map(\.id) == plain.map(\.id))
            #expect(fast.map(\.there) == plain.map(\.there))
            #expect(fast.map(\.before) == plain.map(\.before))
            if tipGraph.changedIDs(from: baseGraph).count < Set(tip.documents().map(\.id)).count { skipped += 1 }
            if !plain.isEmpty { nonEmpty += 1 }
            // With no merge base every active change of the tip is in flight.
            let alone = WorkLine.flights(tip: tipGraph, mergeBase: nil)
            #expect(
                alone.map(\.id)
                    == WorkLine.flights(tip: Coordination(Graph(documents: tip.documents())), mergeBase: nil).map(\.id))
        }
        #expect(skipped > 400)
        #expect(nonEmpty > 30)
    }

    /// A ref's flights survive the cache's byte form; damaged bytes read as a miss.
    @Test func flightsRoundTripThroughTheCache() {
        var r = Gen.Random(state: 17)
        let gen = Gen()
        for _ in 0..<200 {
            let base = gen.randomTree(&r)
            let tip = base.copy()
            gen.mutate(tip, &r)
            let flights = WorkLine.flights(
                tip: Graph(top: tip.subtree()), mergeBase: r.below(4) == 0 ? nil : Graph(top: base.subtree()))
            let bytes = CacheCoding.encode(flights)
            let back = CacheCoding.flights(bytes[...])
            #expect(back?.map(\.id) == flights.map(\.id))
            #expect(back?.map(\.there) == flights.map(\.there))
            #expect(back?.map(\.before) == flights.map(\.before))
            #expect(back?.map(\.there.path) == flights.map(\.there.path))
            if bytes.count > 4 { #expect(CacheCoding.flights(bytes.dropLast()) == nil) }
        }
    }

    /// Conflicts across lines found through the target index equal the pairwise definition.
    @Test func conflictsAcrossLinesEqualThePairwiseDefinition() {
        var r = Gen.Random(state: 5)
        let ids = ["a", "b", "c", "d", "e"]
        let targets = ["m1", "m2", "m3", "m4"]
        func item() -> WorkLine.Item {
            let ts = Set((0..<r.below(3)).map { _ in r.pick(targets) }).sorted()
            let state = ChangeState(status: .string("active"), targets: ts, assignee: nil, path: "changes/x.md", isActive: true)
            return WorkLine.Item(id: r.pick(ids), state: state, takenUpOnLine: r.below(2) == 0)
        }
        for _ in 0..<400 {
            var lines = [WorkLine(ref: nil, items: (0..<r.below(5)).map { _ in item() })]
            for n in 0..<r.below(4) {
                lines.append(WorkLine(ref: "refs/heads/r\(n)", items: (0..<r.below(3)).map { _ in item() }))
            }
            var expected: [CrossConflict] = []
            for i in lines.indices {
                for j in lines.indices where j > i {
                    for x in lines[i].items {
                        for y in lines[j].items {
                            let shared = x.state.targets.filter { y.state.targets.contains($0) }
                            let same = x.id == y.id && (lines[i].ref == nil ? y.takenUpOnLine : x.state != y.state)
                            guard same || (x.id != y.id && !shared.isEmpty) else { continue }
                            let swap = lines[i].ref != nil && (y.id, lines[j].ref!) < (x.id, lines[i].ref!)
                            expected.append(
                                swap
                                    ? CrossConflict(a: y.id, aRef: lines[j].ref, b: x.id, bRef: lines[i].ref, shared: shared)
                                    : CrossConflict(a: x.id, aRef: lines[i].ref, b: y.id, bRef: lines[j].ref, shared: shared))
                        }
                    }
                }
            }
            // A change the line took up without an item of its own (a claim on the line):
            // taken up twice with each ref that holds it.
            let onLine = Set(lines[0].items.map(\.id))
            for line in lines.dropFirst() {
                for y in line.items where y.takenUpOnLine && !onLine.contains(y.id) {
                    expected.append(CrossConflict(a: y.id, aRef: nil, b: y.id, bRef: line.ref, shared: []))
                }
            }
            let key = { (c: CrossConflict) in "\(c.a) \(c.aRef ?? "") \(c.b) \(c.bRef ?? "") \(c.shared)" }
            #expect(CrossConflict.among(lines).map(key).sorted() == expected.map(key).sorted())
        }
    }
}
