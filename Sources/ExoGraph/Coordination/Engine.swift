import ExoModel
import ExoRules

/// How a check's views and judgement are made; the session chooses (`Session.engine`).
///
/// - `FastEngine` (ExoEngine, a target of its own): the view derived from a near one or
///   kept by an earlier run, the comparison through the changed ids' pairs or streamed,
///   graphs made from a near one's and the files that differ.
/// - `PlainEngine`: the definitions and nothing else: exo's view computed whole
///   (`Coordination(graph)`) and the judgement of ExoRules (`Rules.conflicts`,
///   `Rules.judge`), pair by pair. `EXO_GUARD_ENGINE=plain` runs a whole command on it, so
///   the tests can ask both for the same verdict (tests/test_engines.py).
///
/// Work in flight on other branches is judged by the watch, on the fast engine only; its
/// rules are checked against ExoRules' by RulesTests.
public protocol Engine: Sendable {
    /// exo's view of `graph`; `near`, when given, the view of a graph it differs little from.
    func view(of graph: Graph, near: Coordination?, cache: ParseCache) -> Coordination
    /// What `target` adds to `base`'s conflicts.
    func judge(base: Coordination, target: Coordination) -> GraphDiff
    /// Whether a target's graph and roots may be made from its base's and the files that
    /// differ (`Graph.applying`, `WorkspaceRoot.all(in:knownFrom:)`) rather than read whole.
    var readsDeltas: Bool { get }
}

/// The definitions, with no cache and no shortcut.
public struct PlainEngine: Engine {
    /// The plain engine.
    public init() {}
    /// No: every graph is walked.
    public var readsDeltas: Bool { false }
    /// exo's view computed whole from the graph.
    public func view(of graph: Graph, near: Coordination?, cache: ParseCache) -> Coordination {
        Probe.wholeView.hit()
        return Coordination(graph)
    }
    /// ExoRules' judgement of the two views' conflicts, each found pair by pair.
    public func judge(base: Coordination, target: Coordination) -> GraphDiff {
        func pairs(_ view: Coordination) -> [Rules.Pair] {
            Rules.conflicts(active: view.active, targets: { view.targets(of: $0).map(\.string) })
        }
        let rule = Rules.judge(
            base: pairs(base), target: pairs(target), activeInBase: base.active, activeInTarget: target.active)
        return GraphDiff(
            base: base, target: target, new: rule.new, existing: rule.existing, resolved: rule.resolved,
            activated: rule.activated)
    }
}

extension GraphDiff {
    /// A judgement made elsewhere (the plain engine's), every pair listed.
    init(
        base: Coordination, target: Coordination, new: [Coordination.Conflict], existing: [Coordination.Conflict],
        resolved: [Coordination.Conflict], activated: [String]
    ) {
        var newShared: [String: Int] = [:]
        for c in new { for t in c.shared { newShared[t, default: 0] += 1 } }
        self.init(
            base: base, target: target, new: new, existing: existing, resolved: resolved,
            counts: Counts(new: new.count, existing: existing.count, resolved: resolved.count), newShared: newShared,
            activated: activated)
    }
}
