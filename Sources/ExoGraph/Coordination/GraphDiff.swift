import ExoModel

/// The guard's comparison of a base and a target graph, pair by pair.
public struct GraphDiff: Sendable {
    /// A pair in the target that is not in the base, or shares a target it did not share.
    public let new: [Coordination.Conflict]
    /// A pair in the target no worse than in the base.
    public let existing: [Coordination.Conflict]
    /// A pair of the base that is gone from the target.
    public let resolved: [Coordination.Conflict]
    /// Changes active in the target and not in the base.
    public let activated: [String]
    public let base: Coordination
    public let target: Coordination

    public init(base: Coordination, target: Coordination) {
        self.base = base
        self.target = target
        if let d = target.derivation, d.base == base.graph.identity {
            // A view derived from this base: pairs of unchanged ids are the same on both
            // sides, so only the pairs with a changed id are compared.
            let paired = Self.pairUp(before: d.before, after: d.after)
            new = paired.new
            resolved = paired.resolved
            existing = Coordination.merged(d.kept, paired.existing, by: { Coordination.order($0, $1) < 0 })
            let wasActive = base.active.map { Exact($0) }
            activated = target.active.filter { d.changed.contains(Exact($0)) && !wasActive.sortedContains(Exact($0)) }
            return
        }
        let paired = Self.pairUp(before: base.conflicts, after: target.conflicts)
        new = paired.new
        existing = paired.existing
        resolved = paired.resolved
        let wasActive = Set(base.active.map { Exact($0) })
        activated = target.active.filter { !wasActive.contains(Exact($0)) }
    }

    /// A target judged against a base that could not be read: against the empty graph,
    /// every conflict the target holds counted as existing.
    public init(unreadableBase target: Coordination) {
        base = Coordination(.empty)
        self.target = target
        new = []
        existing = target.conflicts
        resolved = []
        activated = target.active
    }

    /// Two lists of conflicts sorted by (a, b) in code point order, paired in one merge pass.
    private static func pairUp(before: [Coordination.Conflict], after: [Coordination.Conflict])
        -> (new: [Coordination.Conflict], existing: [Coordination.Conflict], resolved: [Coordination.Conflict])
    {
        var new: [Coordination.Conflict] = []
        var existing: [Coordination.Conflict] = []
        var resolved: [Coordination.Conflict] = []
        var i = 0
        var j = 0
        while i < before.count || j < after.count {
            let order: Int
            if i == before.count {
                order = 1
            } else if j == after.count {
                order = -1
            } else {
                order = Coordination.order(before[i], after[j])
            }
            if order < 0 {
                resolved.append(before[i])
                i += 1
            } else if order > 0 {
                new.append(after[j])
                j += 1
            } else {
                if isSubset(after[j].shared, of: before[i].shared) { existing.append(after[j]) } else { new.append(after[j]) }
                i += 1
                j += 1
            }
        }
        return (new, existing, resolved)
    }

    /// Whether every item of `a` is in `b`, both sorted in code point order without repeats.
    private static func isSubset(_ a: [String], of b: [String]) -> Bool {
        var j = 0
        for x in a {
            while j < b.count && Exact(b[j]) < Exact(x) { j += 1 }
            guard j < b.count, Exact(b[j]) == Exact(x) else { return false }
            j += 1
        }
        return true
    }

    /// How a side of a new conflict changed: activated, widened (points at a shared target
    /// it did not point at before), or unchanged.
    public func change(of id: String, in conflict: Coordination.Conflict) -> SideChange {
        if activated.contains(id) { return .activated }
        let before = Set(base.targets(of: id))
        let added = conflict.shared.filter { !before.contains(Exact($0)) }
        return added.isEmpty ? .unchanged : .widened(added)
    }

    public enum SideChange: Equatable, Sendable {
        case activated
        case widened([String])
        case unchanged
    }
}
