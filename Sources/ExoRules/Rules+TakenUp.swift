/// A change's state on a line of work (GUARD.md, "Across branches": its status, targets and
/// assignee; where its document is, is not part of it). The engines' state conforms.
public protocol RuleState: Equatable {
    /// A `status:` or `assignee:` value.
    associatedtype Value: Equatable
    /// The `status:` value; nil when unset.
    var status: Value? { get }
    /// The `assignee:` value; nil when unset.
    var assignee: Value? { get }
    /// Whether it is an active work item (a change whose status is exactly `active`).
    var isActive: Bool { get }
    /// Whether the document is a change (only changes are claimed).
    var isChange: Bool { get }
}

/// Work taken up, in flight and settled, for one change.
extension Rules {
    /// A change in state `there` is taken up against its state `before` (absent: nil) when
    /// its state differs and it is active there (in flight), or its assignee there is set
    /// and differs from before's (claimed, whatever its status).
    @inlinable public static func isTakenUp<S: RuleState>(_ there: S, from before: S?) -> Bool {
        guard there != before else { return false }
        if there.isActive { return true }
        guard there.isChange, let who = there.assignee else { return false }
        return who != before?.assignee
    }

    /// Whether the line, where the change is in state `here`, has settled work taken up on a
    /// ref in state `there` against the merge base's `before`: the line changed it since the
    /// merge base, either to the ref's state (a squash-merge or cherry-pick of the ref's
    /// work) or to a status other than active and other than the merge base's (finished,
    /// parked or deleted here). A claim alone, which changes only the assignee, settles
    /// nothing.
    @inlinable public static func settles<S: RuleState>(_ here: S?, there: S, before: S?) -> Bool {
        guard here != before else { return false }
        guard let here else { return true }
        return here == there || (!here.isActive && here.status != before?.status)
    }

    /// Whether the change is in flight on a ref (GUARD.md, "In flight on a ref R"): active at
    /// the ref's tip in a state other than the merge base's, not settled by the line, and
    /// its work not moved on (`movedOn`: a ref stacked on R holds it in another state).
    @inlinable public static func isInFlight<S: RuleState>(there: S, before: S?, here: S?, movedOn: Bool) -> Bool {
        there.isActive && there != before && !settles(here, there: there, before: before) && !movedOn
    }
}
