import Testing

@testable import ExoCore
@testable import ExoEngine
@testable import ExoGraph

/// Work in flight across branches: the folder-by-folder reading of a ref's tip and merge
/// base (the fast path the watch uses) against the definition over exo's whole views.
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

    // Conflicts across lines against the pairwise rule: RulesTests (ExoRules).
}
