import ExoModel

extension Coordination {
    /// The ids whose documents differ from `base`'s, when this view was derived from it
    /// (every other id's state is the same in both); nil when it was not.
    package func changed(since base: Coordination) -> Set<Exact>? {
        guard let d = derivation, d.base == base.graph.identity else { return nil }
        return d.changed
    }

    /// The changes this view takes up against `base`: in a state other than the base's
    /// (absent counts) and active or assigned here. Only a commit or push that takes up a
    /// change can put work in flight for other checks to see, so only such an admission is
    /// recorded.
    package func takesUp(from base: Coordination) -> [String] {
        let ids: [Exact]
        // A view derived from `base` holds its changed ids' states already (its lookup
        // tables may have been let go: `shed`).
        var derived: [Exact: ChangeState]? = nil
        if let d = derivation, d.base == base.graph.identity {
            ids = Array(d.changed)
            derived = d.states
        } else {
            ids = graph.changedIDs(from: base.graph).map { Exact($0) }
        }
        return ids.sorted().map(\.string).filter { id in
            guard let here = derived.map({ $0[Exact(id)] }) ?? state(of: id), here.isActive || here.assignee != nil
            else { return false }
            return here != base.state(of: id)
        }
    }
}
