import ExoGraph
import ExoModel

/// exo's views kept between runs: a view's active items and conflicts, under its graph's key.
extension ParseCache {
    /// exo's view of `graph` as a run before kept it (its active items and conflicts), when
    /// the graph came whole from a cached tree; nil otherwise.
    public func cachedView(of graph: Graph) -> Coordination? {
        guard let key = graph.key, let payload = store?.load(.coordination, key) else { return nil }
        guard let (active, conflicts, targets) = CacheCoding.coordination(payload) else {
            refused.insert(key)  // damaged, or of another form: written anew by `keep`
            return nil
        }
        return Coordination(graph, active: active, conflicts: conflicts).knowing(
            ActiveTargets(
                later: {
                    var byID: [Exact: [Exact]] = [:]
                    byID.reserveCapacity(active.count)
                    for (id, mine) in zip(active, targets.decoded) { byID[Exact(id)] = mine.map { Exact($0) } }
                    return byID
                }, kept: targets))
    }

    /// Keeps a view for the next run, when its graph has a key and its pairs are few enough
    /// to keep whole (`Coordination.materializedPairs`); returns the view to use from here
    /// (with its pairs and its active items' targets, once computed, held).
    public func keep(_ view: Coordination) -> Coordination {
        guard let key = view.graph.key, view.pairBound <= Coordination.materializedPairs else { return view }
        let conflicts = view.conflicts
        let targets = view.targetsHeld
        // A view the store holds already (derived again rather than read back) is not
        // written again.
        if refused.contains(key) || store?.load(.coordination, key) == nil {
            // A view that is its base's to the byte is kept as the base's entry is, when the
            // store holds it whole: nothing encoded (a commit that edits anything but an
            // active change).
            if let base = view.derivation?.sameAsBase, !refused.contains(base), let bytes = store?.load(.coordination, base) {
                Probe.viewAsBase.hit()
                save(.coordination, key, Array(bytes))
                return Coordination(view.graph, active: view.active, conflicts: conflicts, derivation: view.derivation)
                    .knowing(targets)
            }
            // Encoded on another thread while the hook goes on (comparing, admitting).
            let active = view.active
            saveAside(.coordination, key) {
                let byID = targets.value
                let listed = active.map { (byID[Exact($0)] ?? []).map(\.string) }
                return CacheCoding.encode(active: active, conflicts: conflicts, targets: listed)
            }
        }
        return Coordination(view.graph, active: view.active, conflicts: conflicts, derivation: view.derivation)
            .knowing(targets)
    }
}
