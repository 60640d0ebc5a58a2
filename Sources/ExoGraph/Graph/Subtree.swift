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
    /// When the folder was made from another's by a few files (`Graph.applying`): that
    /// folder, and the documents taken out of it and put in.
    let derivation: Derivation?
    /// Where each id's document is among this folder's own files (the first, when several
    /// have it, and the places of all of those), made when first asked for.
    private let ids = Mutex<(first: [Exact: Int], repeated: [Exact: [Int]])?>(nil)

    init(key: CacheKey?, files: [GraphDocument], children: [Subtree], derivation: Derivation? = nil) {
        self.key = key
        self.files = files
        self.children = children
        self.derivation = derivation
    }

    /// How a folder differs from the one it was made from: its own documents taken out and
    /// put in (each in walk order; a document at the same path on both sides may be equal),
    /// its subfolders pair by pair, each the other's or made from it in turn.
    struct Derivation: Sendable {
        let from: Subtree
        let removed: [GraphDocument]
        let added: [GraphDocument]
    }

    /// The places among this folder's own files of the documents with the id, in order;
    /// nil when none has it.
    func positions(of id: Exact) -> [Int]? {
        ids.withLock { ids in
            if ids == nil {
                var first: [Exact: Int] = [:]
                var repeated: [Exact: [Int]] = [:]
                first.reserveCapacity(files.count)
                for (i, doc) in files.enumerated() {
                    let key = Exact(doc.id)
                    if let earlier = first[key] {
                        repeated[key, default: [earlier]].append(i)
                    } else {
                        first[key] = i
                    }
                }
                ids = (first, repeated)
            }
            guard let at = ids!.first[id] else { return nil }
            return ids!.repeated[id] ?? [at]
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
