/// exo's view of a graph: roles, active work items, conflicts and the board.
public struct Coordination: Sendable {
    /// A node as exo keeps it: for an id held by several documents, the last one in walk order.
    public struct Node: Sendable {
        public let id: String
        public let path: String
        public let status: Value?
        public let assignee: Value?
        public var role: Role? { Role(path: path) }
    }

    /// Two active changes that share outbound targets.
    public struct Conflict: Sendable, Equatable, Hashable {
        public let a: String
        public let b: String
        public let shared: [String]
        public init(a: String, b: String, shared: [String]) {
            self.a = a
            self.b = b
            self.shared = shared
        }
    }

    public enum Role: String, Sendable {
        case module, change, decision, verification, gate
        static let folders: [String: Role] = ["modules": .module, "changes": .change, "decisions": .decision,
                                              "verification": .verification, "gates": .gate]
        /// The role of a path's first folder, when the path has one.
        init?(path: String) {
            guard let slash = path.utf8.firstIndex(of: UInt8(ascii: "/")),
                  let role = Role.folders[String(path[..<slash])] else { return nil }
            self = role
        }
    }

    /// Nodes by id (last document wins for path, status and assignee).
    public let nodes: [String: Node]
    /// Outbound targets of each id, the edges of every document with that id.
    public let targets: [String: Set<Exact>]
    /// Changes whose status is exactly the string `active`, sorted by id.
    public let active: [String]

    public init(_ graph: Graph) {
        var nodes: [String: Node] = [:]
        var targets: [String: Set<Exact>] = [:]
        for doc in graph.documents {
            nodes[doc.id] = Node(id: doc.id, path: doc.path, status: doc.status, assignee: doc.assignee)
            if !doc.targets.isEmpty { targets[doc.id, default: []].formUnion(doc.targets.map { Exact($0) }) }
        }
        self.nodes = nodes
        self.targets = targets
        active = nodes.values
            .filter { $0.role == .change && $0.status?.string?.utf8.elementsEqual("active".utf8) == true }
            .map(\.id)
            .sorted { Exact($0) < Exact($1) }
    }

    /// Every pair a < b of active items with a non-empty sorted intersection of targets.
    /// Found through an index from target to the active items that point at it, so the
    /// cost follows the number of shared targets rather than the square of active items.
    public var conflicts: [Conflict] {
        var byTarget: [Exact: [Int]] = [:]
        for (i, id) in active.enumerated() {
            for t in targets[id] ?? [] { byTarget[t, default: []].append(i) }
        }
        var shared: [Int: [Exact]] = [:]
        let n = active.count
        for (target, items) in byTarget where items.count > 1 {
            for x in 0..<items.count {
                for y in (x + 1)..<items.count {
                    shared[items[x] * n + items[y], default: []].append(target)
                }
            }
        }
        return shared.keys.sorted().map { key in
            Conflict(a: active[key / n], b: active[key % n], shared: shared[key]!.sorted().map(\.string))
        }
    }

    /// Every change, sorted by (status, id); a missing or false-like status sorts as `~`.
    public var board: [Node] {
        nodes.values.filter { $0.role == .change }.sorted { x, y in
            let sx = Self.sortStatus(x), sy = Self.sortStatus(y)
            if !Value.pythonEqual(sx, sy) { return Value.pythonLess(sx, sy) }
            return Exact(x.id) < Exact(y.id)
        }
    }

    private static func sortStatus(_ node: Node) -> Value {
        guard let s = node.status, s.isTruthy else { return .string("~") }
        return s
    }

    /// The seven bounded worker contracts (strato's role grammar).
    public static let roles: [(role: String, contract: String)] = [
        ("Orchestrator", "intent, scope, gates, synthesis"),
        ("Scout", "paths, confidence, gaps"),
        ("Researcher", "fact / inference / recommendation, with credits"),
        ("Builder", "one slice + changed paths + checks"),
        ("Verifier", "pass / fail / skipped / risk \u{2014} no silent edits"),
        ("Reviewer", "findings first"),
        ("Archivist", "notes, handoffs; PRIV kept separate"),
    ]
}
