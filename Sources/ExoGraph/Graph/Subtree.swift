import ExoModel
import ExoStore
import Synchronization

/// The documents under one folder in walk order: its own files, then each walked
/// subfolder's. `key` names the folder's tree and everything outside it that the result
/// depends on; nil when the result cannot be cached (no tree id, or a symlink inside).
final class Subtree: Sendable {
    let key: CacheKey?
    let files: [GraphDocument]
    let children: [Subtree]
    /// The ids of this folder's own files, made when first asked for.
    private let ids = Mutex<Set<Exact>?>(nil)

    init(key: CacheKey?, files: [GraphDocument], children: [Subtree]) {
        self.key = key
        self.files = files
        self.children = children
    }

    /// Whether one of this folder's own files has the id.
    func holds(_ id: Exact) -> Bool {
        ids.withLock { ids in
            if ids == nil { ids = Set(files.map { Exact($0.id) }) }
            return ids!.contains(id)
        }
    }

    func append(into documents: inout [GraphDocument]) {
        documents += files
        for child in children { child.append(into: &documents) }
    }

    func visitDocuments(_ visit: (GraphDocument) -> Void) {
        files.forEach(visit)
        for child in children { child.visitDocuments(visit) }
    }
}
