import ExoModel
import ExoRules

/// A change's state as the rules across branches compare it: (status, targets, assignee).
public struct ChangeState: RuleState, Sendable {
    /// The `status:` value.
    public let status: Value?
    /// Outbound targets, sorted in code point order, each once.
    public let targets: [String]
    /// The `assignee:` value.
    public let assignee: Value?
    /// Where the document exo keeps for the id is (not part of the state).
    public let path: String
    /// Whether it is an active work item: a change whose status is exactly `active`.
    public let isActive: Bool

    /// The state given, field by field (as the cache kept it).
    package init(status: Value?, targets: [String], assignee: Value?, path: String, isActive: Bool) {
        self.status = status
        self.targets = targets
        self.assignee = assignee
        self.path = path
        self.isActive = isActive
    }

    /// Whether its document is a change (only changes are claimed).
    public var isChange: Bool { Coordination.Role(path: path) == .change }

    /// Equal states: same status, targets and assignee (the path is not part of the state).
    public static func == (x: ChangeState, y: ChangeState) -> Bool {
        x.status == y.status && x.assignee == y.assignee && x.targets.map { Exact($0) } == y.targets.map { Exact($0) }
    }
}

extension ChangeState {
    /// The state the documents of one id make, given in walk order: the last one's status,
    /// assignee and path, the targets of all of them; nil when there are none.
    package init?(documents: [GraphDocument]) {
        guard let last = documents.last else { return nil }
        var targets: [Exact] = []
        var seen = Set<Exact>()
        for doc in documents {
            for t in doc.targets where seen.insert(Exact(t)).inserted { targets.append(Exact(t)) }
        }
        self.init(
            status: last.status, targets: targets.sorted().map(\.string), assignee: last.assignee,
            path: last.path, isActive: Coordination.isActive(path: last.path, status: last.status))
    }
}
