import ExoGraph
import ExoModel

/// The engine every run uses unless told otherwise.
public struct FastEngine: Engine {
    /// The fast engine.
    public init() {}
    /// Derived, kept or whole, the cheapest there is (`Coordination.view`).
    public func view(of graph: Graph, near: Coordination?, cache: ParseCache) -> Coordination {
        Coordination.view(of: graph, near: near, cache: cache)
    }
    /// Through the changed ids' pairs, streamed, or whole (`GraphDiff`).
    public func judge(base: Coordination, target: Coordination) -> GraphDiff {
        GraphDiff(base: base, target: target)
    }
    /// Yes.
    public var readsDeltas: Bool { true }
}
