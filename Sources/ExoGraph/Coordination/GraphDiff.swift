import ExoModel

/// The guard's comparison of a base and a target graph, pair by pair: what an engine's
/// `judge` gives (the plain engine's in Engine.swift, the fast engine's in ExoEngine's
/// GraphDiff+Compare.swift).
///
/// A comparison whose sides have too many pairs to hold lists at most `kept` of each kind;
/// `counts` and `newShared` are always complete.
public struct GraphDiff: Sendable {
    /// A pair in the target that is not in the base, or shares a target it did not share.
    public let new: [Coordination.Conflict]
    /// A pair in the target no worse than in the base.
    public let existing: [Coordination.Conflict]
    /// A pair of the base that is gone from the target.
    public let resolved: [Coordination.Conflict]
    /// How many pairs of each kind there are, listed or not.
    public let counts: Counts
    /// For each target, how many new pairs share it, listed or not.
    public let newShared: [String: Int]
    /// Changes active in the target and not in the base.
    public let activated: [String]
    /// The view compared against.
    public let base: Coordination
    /// The view judged.
    public let target: Coordination

    /// How many pairs of each kind.
    public struct Counts: Sendable, Equatable {
        /// New pairs.
        public var new = 0
        /// Existing pairs.
        public var existing = 0
        /// Resolved pairs.
        public var resolved = 0

        /// The counts given.
        package init(new: Int = 0, existing: Int = 0, resolved: Int = 0) {
            self.new = new
            self.existing = existing
            self.resolved = resolved
        }
    }

    /// How many pairs of each kind a streamed comparison lists (the JSON report's limit).
    public static let kept = 1000

    /// How many (pair, shared target) entries each of a streamed comparison's lists holds at
    /// most: 1,000 pairs that each share 20,000 targets would be 20 million.
    public static let keptEntries = 100_000

    /// A comparison made by an engine, each field given.
    package init(
        base: Coordination, target: Coordination, new: [Coordination.Conflict], existing: [Coordination.Conflict],
        resolved: [Coordination.Conflict], counts: Counts, newShared: [String: Int], activated: [String]
    ) {
        self.base = base
        self.target = target
        self.new = new
        self.existing = existing
        self.resolved = resolved
        self.counts = counts
        self.newShared = newShared
        self.activated = activated
    }

    /// How a side of a new conflict changed: activated, widened (points at a shared target
    /// it did not point at before), or unchanged.
    public func change(of id: String, in conflict: Coordination.Conflict) -> SideChange {
        if activated.contains(id) { return .activated }
        let before = Set(base.targets(of: id))
        let added = conflict.shared.filter { !before.contains(Exact($0)) }
        return added.isEmpty ? .unchanged : .widened(added)
    }

    /// What the target did to one side of a pair: activated it, widened it toward targets, or left it.
    public enum SideChange: Equatable, Sendable {
        case activated
        case widened([String])
        case unchanged
    }
}
