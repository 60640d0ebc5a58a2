import ExoModel
import ExoSnapshot
import ExoStore
import Synchronization

/// The documents under one folder in walk order: its own files, then each walked
/// subfolder's. `key` names the folder's tree and everything outside it that the result
/// depends on; nil when the result cannot be cached (no tree id, or a symlink inside).
package final class Subtree: Sendable {
    package let key: CacheKey?
    /// The folder's own documents, in walk order (a folder the store kept decodes them when
    /// first asked for: a hook whose view comes from the cache asks for few folders).
    package var files: [GraphDocument] { decoded ?? kept!.files }
    package let children: [Subtree]
    private let decoded: [GraphDocument]?
    private let kept: Undecoded?
    /// When the folder was made from another's by a few files (`Graph.applying`): that
    /// folder, and the documents taken out of it and put in.
    package let derivation: Derivation?
    /// Where each id's document is among this folder's own files (the first, when several
    /// have it, and the places of all of those), made when first asked for.
    private let ids = Mutex<(first: [Exact: Int], repeated: [Exact: [Int]])?>(nil)

    package init(key: CacheKey?, files: [GraphDocument], children: [Subtree], derivation: Derivation? = nil) {
        self.key = key
        decoded = files
        kept = nil
        self.children = children
        self.derivation = derivation
        holdsKept = children.contains { $0.holdsKept }
    }

    /// A folder the store kept: its documents' bytes (checked whole by
    /// `CacheCoding.subtreeShape`), decoded when first asked for.
    package init(key: CacheKey, kept: CacheCoding.KeptFiles, children: [Subtree]) {
        self.key = key
        decoded = nil
        self.kept = Undecoded(kept)
        self.children = children
        derivation = nil
        holdsKept = true
    }

    /// The path of the folder's first own document, nil when it has none (a kept folder
    /// reads it from its bytes, undecoded).
    package var firstPath: String? {
        if let decoded { return decoded.first?.path }
        return kept!.firstPath
    }

    /// Whether this folder or one below it came from the store (its documents decoded only
    /// when asked for); known when the folder is made, its subfolders made before it.
    package let holdsKept: Bool

    /// False only when none of the folder's own documents has the id (a kept folder
    /// answers without decoding them).
    package func mayHold(_ id: Exact) -> Bool { kept?.ids.mayHold(id) ?? true }

    /// The encoded documents of a kept folder and, once asked for, the documents.
    private final class Undecoded: Sendable {
        private let state: Mutex<(bytes: CacheCoding.KeptFiles?, files: [GraphDocument])>
        let ids: IDFilter

        init(_ bytes: CacheCoding.KeptFiles) {
            state = Mutex((bytes, []))
            ids = bytes.ids
        }

        var firstPath: String? {
            state.withLock { state in
                guard let bytes = state.bytes else { return state.files.first?.path }
                return CacheCoding.firstPath(bytes)
            }
        }

        var files: [GraphDocument] {
            state.withLock { state in
                if let bytes = state.bytes {
                    Probe.decodedFolder.hit()
                    state.files = CacheCoding.documents(bytes)
                    state.bytes = nil
                }
                return state.files
            }
        }
    }

    /// How a folder differs from the one it was made from: its own documents taken out and
    /// put in (each in walk order; a document at the same path on both sides may be equal),
    /// its subfolders pair by pair, each the other's or made from it in turn.
    package struct Derivation: Sendable {
        package let from: Subtree
        package let removed: [GraphDocument]
        package let added: [GraphDocument]

        /// `from` less `removed`, with `added`.
        package init(from: Subtree, removed: [GraphDocument], added: [GraphDocument]) {
            self.from = from
            self.removed = removed
            self.added = added
        }
    }

    /// The places among this folder's own files of the documents with the id, in order;
    /// nil when none has it.
    package func positions(of id: Exact) -> [Int]? {
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

    package func append(into documents: inout [GraphDocument]) {
        documents += files
        for child in children { child.append(into: &documents) }
    }

    package func visitDocuments(_ visit: (GraphDocument) -> Void) {
        files.forEach(visit)
        for child in children { child.visitDocuments(visit) }
    }

    /// What this folder was made from `other` by, each folder made on the way in walk order
    /// (`Graph.applying`; none when it is `other`); nil when it was not made from it.
    package func edits(from other: Subtree) -> [Derivation]? {
        if self === other { return [] }
        guard let made = derivation, made.from === other else { return nil }
        var out = [made]
        for (c, d) in zip(children, other.children) {
            guard let below = c.edits(from: d) else { return nil }
            out += below
        }
        return out
    }

    /// The folder's own documents with the id, in walk order: for a folder made from
    /// another, that one's less those taken out, with those put in.
    package func documents(withID id: Exact) -> [GraphDocument] {
        guard let made = derivation else { return positions(of: id)?.map { files[$0] } ?? [] }
        var found = made.from.documents(withID: id)
        if !found.isEmpty && !made.removed.isEmpty {
            found.removeAll { doc in made.removed.contains { Exact($0.path) == Exact(doc.path) } }
        }
        let added = made.added.filter { Exact($0.id) == id }
        if added.isEmpty { return found }
        return (found + added).sorted { SnapPath.walksBefore($0.path, $1.path) }
    }
}
