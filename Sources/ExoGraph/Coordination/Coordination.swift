import ExoModel
import ExoRules
import ExoStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// exo's view of a graph: roles, active work items, conflicts and the board.
public struct Coordination: Sendable {
    /// A node as exo keeps it: for an id held by several documents, the last one in walk order.
    public struct Node: Sendable {
        /// The derived id.
        public let id: String
        /// The document's path, relative to the workspace root.
        public let path: String
        /// Its `status:` value.
        public let status: Value?
        /// Its `assignee:` value.
        public let assignee: Value?
        /// The role its first folder gives it.
        public var role: Role? { Role(path: path) }
    }

    /// Two active changes that share outbound targets: the rules' pair (ExoRules), one type
    /// for the definition and the engine.
    public typealias Conflict = Rules.Pair

    /// What a document is by the first folder of its path (tropo's coordination pack).
    public enum Role: String, Sendable {
        case module, change, decision, verification, gate
        /// The role of a path's first folder, when the path has one (compared as bytes: this
        /// runs for every document).
        package init?(path: String) {
            var path = path
            let role: Role? = path.withUTF8 { p in
                guard let slash = p.firstIndex(of: UInt8(ascii: "/")) else { return nil }
                func named(_ name: StaticString) -> Bool {
                    slash == name.utf8CodeUnitCount && memcmp(p.baseAddress!, name.utf8Start, slash) == 0
                }
                if named("changes") { return .change }
                if named("modules") { return .module }
                if named("decisions") { return .decision }
                if named("verification") { return .verification }
                if named("gates") { return .gate }
                return nil
            }
            guard let role else { return nil }
            self = role
        }
    }

    /// The graph this is the view of.
    package let graph: Graph
    /// The documents, in walk order.
    public var documents: [GraphDocument] { graph.documents }
    /// Where each id's documents are, made when first needed.
    private let lookup: Lookup
    /// Changes whose status is exactly the string `active`, sorted by id.
    public let active: [String]
    /// Conflicts known without computing them (from the cache).
    package let known: [Conflict]?
    /// What the fast engine makes for this view when it first needs it and keeps while the
    /// view lives (ExoEngine's Pairs.swift: the index pairs are read from, the count of
    /// pairs, the active items' targets); nothing else reads them.
    package let indexSlot = EngineSlot(), countSlot = EngineSlot(), pointerSlot = EngineSlot()
    /// How this view was derived from another, when it was: what lets a comparison of the
    /// two look only at the pairs of the changed ids.
    package let derivation: Derivation?

    package struct Derivation: Sendable {
        /// The graph of the view this one was derived from.
        package let base: ObjectIdentifier
        package let changed: Set<Exact>
        /// The changed ids' states in this view (none for an id no document has now).
        package let states: [Exact: ChangeState]
        /// Pairs of unchanged ids: the same in both views.
        package let kept: [Conflict]
        /// The base view's pairs with a changed id, and this view's; both sorted by (a, b).
        package let before: [Conflict]
        package let after: [Conflict]
        /// The base view's node of an id (for an unchanged id, this view's too).
        package let baseNode: @Sendable (String) -> Node?
        /// The base graph's cache key, when this view is the base's to the byte: the same
        /// active items, pairs and active items' targets (no changed id is an active change
        /// on either side), so that it is kept as the base's entry is (`ParseCache.keep`).
        package let sameAsBase: CacheKey?

        /// A derivation, each field given (ExoEngine's DerivedView makes them).
        package init(
            base: ObjectIdentifier, changed: Set<Exact>, states: [Exact: ChangeState], kept: [Conflict],
            before: [Conflict], after: [Conflict], baseNode: @escaping @Sendable (String) -> Node?,
            sameAsBase: CacheKey? = nil
        ) {
            self.sameAsBase = sameAsBase
            self.base = base
            self.changed = changed
            self.states = states
            self.kept = kept
            self.before = before
            self.after = after
            self.baseNode = baseNode
        }
    }

    /// exo's view of `graph`, by the definition: every active change's targets, every pair that shares one.
    public init(_ graph: Graph) {
        self.graph = graph
        let lookup = Lookup(graph)
        self.lookup = lookup
        let documents = graph.documents
        var active: [Exact] = []
        documents.withUnsafeBufferPointer { documents in
            for (id, i) in lookup.last where Self.isActive(path: documents[i].path, status: documents[i].status) {
                active.append(id)
            }
        }
        active.sort()
        self.active = active.map(\.string)
        known = nil
        derivation = nil
    }

    /// The view of `graph` whose active items and conflicts were computed before.
    package init(_ graph: Graph, active: [String], conflicts: [Conflict], derivation: Derivation? = nil) {
        self.graph = graph
        lookup = Lookup(graph)
        self.active = active
        known = conflicts
        self.derivation = derivation
    }

    /// For each id, the index of the last document with it (the one exo keeps as the node),
    /// and for an id held by several documents, the indices of the others (their edges
    /// count too). Built on first use, under a lock.
    private final class Lookup: @unchecked Sendable {
        private let graph: Graph
        private let lock = Mutex(())
        private var built: (last: [Exact: Int], earlier: [Exact: [Int]])?

        init(_ graph: Graph) { self.graph = graph }

        private var tables: (last: [Exact: Int], earlier: [Exact: [Int]]) {
            lock.withLock { _ in
                if let built { return built }
                let documents = graph.documents
                var last: [Exact: Int] = [:]
                last.reserveCapacity(documents.count)
                var earlier: [Exact: [Int]] = [:]
                // Each id read where its document lies: copying the document out would retain
                // and release its every part, for each of tens of thousands.
                documents.withUnsafeBufferPointer { documents in
                    for i in documents.indices {
                        let id = Exact(documents[i].id)
                        if let old = last.updateValue(i, forKey: id) { earlier[id, default: []].append(old) }
                    }
                }
                built = (last, earlier)
                return (last, earlier)
            }
        }

        var last: [Exact: Int] { tables.last }

        /// How many ids were looked up folder by folder (`readsFolderByFolder`).
        private let askedByFolder = Atomic<Int>(0)

        /// Whether the tables are not made and few ids were looked up without them: each
        /// call counts one more.
        func mayAskByFolder() -> Bool {
            guard lock.withLock({ _ in built == nil }) else { return false }
            return askedByFolder.add(1, ordering: .relaxed).newValue <= Coordination.askedByFolder
        }

        /// Lets the tables go (made again if asked for).
        func shed() { lock.withLock { _ in built = nil } }

        /// The index of the last document with `id` (looked up under the lock, without
        /// copying the tables out: this runs for every id a comparison reads).
        func last(_ id: Exact) -> Int? {
            _ = tables
            return lock.withLock { _ in built!.last[id] }
        }

        /// The last document with `id` and the others that have it, in walk order.
        func all(_ id: Exact) -> (last: Int, earlier: [Int])? {
            _ = tables
            return lock.withLock { _ in
                guard let i = built!.last[id] else { return nil }
                return (i, built!.earlier[id] ?? [])
            }
        }
    }

    /// Lets this view's lookup tables and its graph's joined list go, both made again if
    /// asked for: a push of a thousand refs keeps each ref's view for its report (which
    /// speaks of ten) and would otherwise hold every one's tables to the end.
    package func shed() {
        lookup.shed()
        graph.shed()
    }

    /// Whether a document is work in flight: a change (under `changes/`) whose status is
    /// exactly the string `active`, compared as bytes. The one definition every view uses.
    public static func isActive(path: String, status: Value?) -> Bool {
        guard case .string(let s)? = status, s.utf8.elementsEqual("active".utf8) else { return false }
        return Role(path: path) == .change
    }

    /// The node exo keeps for `id`: its last document's path, status and assignee.
    public func node(_ id: String) -> Node? {
        // A derived view: an unchanged id's node is the base's (the same documents in the
        // same order), a changed one's is its state's; no lookup table of this view's own.
        if let derivation {
            let x = Exact(id)
            guard derivation.changed.contains(x) else { return derivation.baseNode(id) }
            return derivation.states[x].map { Node(id: x.string, path: $0.path, status: $0.status, assignee: $0.assignee) }
        }
        let doc: GraphDocument
        if readsFolderByFolder {
            // A graph read from the cache: the id's document found folder by folder, passing
            // over the kept folders that cannot hold it, none of them decoded for it.
            guard let last = graph.documents(withIDs: [Exact(id)])[Exact(id)]?.last else { return nil }
            doc = last
        } else {
            guard let i = lookup.last(Exact(id)) else { return nil }
            doc = documents[i]
        }
        return Node(id: doc.id, path: doc.path, status: doc.status, assignee: doc.assignee)
    }

    /// Whether an id's documents are better found folder by folder than through the lookup
    /// tables: the graph came from the cache (its folders decoded only when asked for) and
    /// the tables are not made, so that a hook asking of a few ids decodes a few folders.
    /// Past `askedByFolder` ids, the tables are made (a report on many ids).
    var readsFolderByFolder: Bool { graph.top?.holdsKept == true && lookup.mayAskByFolder() }

    /// How many ids a view looks up folder by folder before it makes its lookup tables.
    static let askedByFolder = 64

    /// Outbound targets of `id`: the edges of every document with that id, each once.
    public func targets(of id: String) -> [Exact] {
        let all: [Exact]
        if readsFolderByFolder {
            all = (graph.documents(withIDs: [Exact(id)])[Exact(id)] ?? []).flatMap { $0.targets.map { Exact($0) } }
        } else {
            guard let (i, earlier) = lookup.all(Exact(id)) else { return [] }
            let documents = self.documents
            if earlier.isEmpty, documents[i].targets.count <= 1 { return documents[i].targets.map { Exact($0) } }
            all = (earlier + [i]).flatMap { documents[$0].targets.map { Exact($0) } }
        }
        // A few targets (the common case) are deduplicated without a set.
        if all.count <= 8 { return all.reduce(into: []) { out, t in if !out.contains(t) { out.append(t) } } }
        var seen = Set<Exact>()
        return all.filter { seen.insert($0).inserted }
    }

    /// Every change, sorted by (status, id); a missing or false-like status sorts as `~`.
    public var board: [Node] {
        let documents = self.documents
        return lookup.last.values.map { documents[$0] }.filter { Role(path: $0.path) == .change }
            .map { Node(id: $0.id, path: $0.path, status: $0.status, assignee: $0.assignee) }.sorted { x, y in
                let sx = Self.sortStatus(x)
                let sy = Self.sortStatus(y)
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
