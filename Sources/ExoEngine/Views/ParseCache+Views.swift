import ExoGraph
import ExoModel

/// exo's views kept between runs: a view's active items and conflicts, under its graph's key.
extension ParseCache {
    /// exo's view of `graph` as a run before kept it (its active items and conflicts), when
    /// the graph came whole from a cached tree; nil otherwise.
    public func cachedView(of graph: Graph) -> Coordination? {
        guard let key = graph.key, let payload = store?.load(.coordination, key),
            let (active, conflicts) = CacheCoding.coordination(payload)
        else { return nil }
        return Coordination(graph, active: active, conflicts: conflicts)
    }

    /// Keeps a view for the next run, when its graph has a key and its pairs are few enough
    /// to keep whole (`Coordination.materializedPairs`); returns the view to use from here
    /// (with its pairs, once computed, held).
    public func keep(_ view: Coordination) -> Coordination {
        guard let key = view.graph.key, view.pairBound <= Coordination.materializedPairs else { return view }
        let conflicts = view.conflicts
        // A view the store holds already (derived again rather than read back) is not
        // written again.
        if store?.load(.coordination, key) == nil {
            save(.coordination, key, CacheCoding.encode(active: view.active, conflicts: conflicts))
        }
        return Coordination(view.graph, active: view.active, conflicts: conflicts, derivation: view.derivation)
    }
}
