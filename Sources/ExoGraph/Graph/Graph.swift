import Dispatch
import ExoModel
import ExoStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One document of the graph: where it is, its derived id, the frontmatter values exo
/// reads, and the targets of its reference fields.
public struct GraphDocument: Sendable, Equatable {
    /// The derived id.
    public let id: String
    /// Path relative to the workspace root, `/`-separated.
    public let path: String
    /// The `status:` value.
    public let status: Value?
    /// The `assignee:` value.
    public let assignee: Value?
    /// Targets of `ref`/`ref-list` fields, broken ones included, in field order.
    public let targets: [String]
}

/// The documents of one workspace in walk order.
public struct Graph: Sendable {
    /// Names the documents when they came from a tree whose results may be cached.
    public let key: CacheKey?
    /// The folders the walk found the documents in (nil for a graph made from a list).
    package let top: Subtree?
    private let joined: JoinedDocuments

    /// A graph of `documents` in walk order; `key` names them for the cache.
    public init(documents: [GraphDocument], key: CacheKey? = nil) {
        self.key = key
        top = nil
        joined = JoinedDocuments(documents)
    }

    package init(top: Subtree) {
        key = top.key
        self.top = top
        joined = JoinedDocuments(top)
    }

    /// The graph with no document (a base with no workspace).
    public static let empty = Graph(documents: [])

    /// Every document in walk order; the folders' lists are joined the first time.
    public var documents: [GraphDocument] { joined.all }

    /// Tells this graph apart from any other in the run.
    package var identity: ObjectIdentifier { ObjectIdentifier(joined) }

    /// Lets the joined list go (made again if asked for): a push of many refs keeps each
    /// ref's graph for its report, which seldom asks again.
    package func shed() { joined.shed() }

    /// Visits every document in walk order without joining the folders' lists.
    package func visitDocuments(_ visit: (GraphDocument) -> Void) {
        if let top { top.visitDocuments(visit) } else { joined.all.forEach(visit) }
    }
}

/// A graph's documents as one list, made when first asked for: a hook whose views come
/// from the cache never needs it.
private final class JoinedDocuments: Sendable {
    private let list: Mutex<[GraphDocument]?>
    private let top: Subtree?

    init(_ documents: [GraphDocument]) {
        list = Mutex(documents)
        top = nil
    }

    init(_ top: Subtree) {
        list = Mutex(nil)
        self.top = top
    }

    /// Lets a list joined from the folders go; a graph made from a list keeps it.
    func shed() {
        guard top != nil else { return }
        list.withLock { $0 = nil }
    }

    var all: [GraphDocument] {
        list.withLock { list in
            if let list { return list }
            var out: [GraphDocument] = []
            top?.append(into: &out)
            list = out
            return out
        }
    }
}
