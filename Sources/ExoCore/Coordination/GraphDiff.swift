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
        struct Pair: Hashable {
            let a: Exact, b: Exact
            init(_ c: Coordination.Conflict) { a = Exact(c.a); b = Exact(c.b) }
        }
        var before: [Pair: [String]] = [:]
        let baseConflicts = base.conflicts
        before.reserveCapacity(baseConflicts.count)
        for c in baseConflicts { before[Pair(c)] = c.shared }
        var now = Set<Pair>()
        var new: [Coordination.Conflict] = [], existing: [Coordination.Conflict] = []
        for c in target.conflicts {
            let key = Pair(c)
            now.insert(key)
            if let old = before[key], Self.isSubset(c.shared, of: old) { existing.append(c) } else { new.append(c) }
        }
        self.new = new
        self.existing = existing
        resolved = baseConflicts.filter { !now.contains(Pair($0)) }
        let wasActive = Set(base.active.map { Exact($0) })
        activated = target.active.filter { !wasActive.contains(Exact($0)) }
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
        case activated, widened([String]), unchanged
    }
}

/// What the guard does with new conflicts.
public enum GuardMode: String, Sendable, CaseIterable {
    case block, warn, off

    /// `--mode` > `EXO_GUARD_MODE` > git config `exo.mode` > `block`; a bad value is an
    /// error naming it and where it came from.
    public static func resolve(flag: String?, environment: [String: String], gitConfig: () -> String?) throws(ExoError) -> GuardMode {
        let env = environment["EXO_GUARD_MODE"].flatMap { $0.isEmpty ? nil : $0 }
        let (raw, source): (String?, String) = flag != nil ? (flag, "--mode")
            : env != nil ? (env, "EXO_GUARD_MODE") : (gitConfig(), "git config exo.mode")
        guard let raw else { return .block }
        guard let mode = GuardMode(rawValue: raw.lowercased()) else {
            throw .usage("invalid mode \(PythonString.repr(raw)) from \(source) (expected block, warn or off)")
        }
        return mode
    }
}

public enum Decision: String, Sendable {
    case pass, warn, block
}
