import ExoModel
import ExoSnapshot
import ExoStore

/// A change's state read from a graph's folders, and the ids whose documents differ
/// between two graphs: what the watch across branches needs of a ref's tip and of its merge
/// base, without a view of every document. Folders the two graphs share (the same cached
/// folder, the same key) are passed over whole.
extension Graph {
    /// The state of `id`: the last of its documents in walk order, with the targets of all
    /// of them (as `Coordination.state(of:)` reads it); nil when no document has the id.
    package func state(of id: String) -> ChangeState? {
        ChangeState(documents: documents(withIDs: [Exact(id)])[Exact(id)] ?? [])
    }

    /// The documents of each of `ids`, in walk order.
    package func documents(withIDs ids: Set<Exact>) -> [Exact: [GraphDocument]] {
        var out: [Exact: [GraphDocument]] = [:]
        guard !ids.isEmpty else { return out }
        guard let top else {
            for doc in documents where ids.contains(Exact(doc.id)) { out[Exact(doc.id), default: []].append(doc) }
            return out
        }
        // A folder's own documents with the ids: whichever is fewer, its files or the ids,
        // so linear in the documents however many ids are asked for.
        func own(_ s: Subtree) {
            if s.files.count <= ids.count {
                for doc in s.files where ids.contains(Exact(doc.id)) { out[Exact(doc.id), default: []].append(doc) }
            } else if s.derivation != nil {
                // Through the folder it was made from, whose index is made once for all.
                for id in ids {
                    let found = s.documents(withID: id)
                    if !found.isEmpty { out[id, default: []] += found }
                }
            } else {
                for id in ids {
                    guard let places = s.positions(of: id) else { continue }
                    for i in places { out[id, default: []].append(s.files[i]) }
                }
            }
        }
        func visit(_ s: Subtree) {
            // A kept folder that cannot hold any of a few ids is passed over undecoded.
            if ids.count > Self.filteredIDs || ids.contains(where: s.mayHold) { own(s) }
            s.children.forEach(visit)
        }
        visit(top)
        return out
    }

    /// Up to how many ids a lookup asks a kept folder's filter first.
    static let filteredIDs = 64

    /// The ids of the documents that differ between this graph and `other` (added, removed
    /// or changed at their path), in code point order.
    func changedIDs(from other: Graph) -> [String] {
        let (mine, theirs) = differences(from: other)
        return Set((mine + theirs).map { Exact($0.id) }).sorted().map(\.string)
    }

    /// The documents that differ between this graph and `other`: this side's (added or
    /// changed at their path) and the other's (removed or changed). Only folders the two do
    /// not share are read, each compared with the other side's folder of the same path in
    /// one pass (a folder's files are in name order).
    package func differences(from other: Graph) -> (mine: [GraphDocument], theirs: [GraphDocument]) {
        var mine: [String: [GraphDocument]] = [:]
        var theirs: [String: [GraphDocument]] = [:]
        if let a = top, let b = other.top, let edits = a.edits(from: b) {
            // Made from the other's folders by a few files (`Graph.applying`): those files.
            for e in edits {
                guard let any = e.added.first ?? e.removed.first else { continue }
                let folder = SnapPath.parent(any.path)
                mine[folder, default: []] += e.added
                theirs[folder, default: []] += e.removed
            }
        } else if let a = top, let b = other.top {
            var keysA = Set<CacheKey>()
            var keysB = Set<CacheKey>()
            var objectsA = Set<ObjectIdentifier>()
            var objectsB = Set<ObjectIdentifier>()
            Self.index(a, &keysA, &objectsA)
            Self.index(b, &keysB, &objectsB)
            Self.unshared(a, keys: keysB, objects: objectsB, into: &mine)
            Self.unshared(b, keys: keysA, objects: objectsA, into: &theirs)
        } else {
            visitDocuments { mine[SnapPath.parent($0.path), default: []].append($0) }
            other.visitDocuments { theirs[SnapPath.parent($0.path), default: []].append($0) }
        }
        var added: [GraphDocument] = []
        var removed: [GraphDocument] = []
        for (folder, docs) in mine {
            let others = theirs[folder] ?? []
            var i = 0
            var j = 0
            while i < docs.count || j < others.count {
                if j == others.count || (i < docs.count && Exact(docs[i].path) < Exact(others[j].path)) {
                    added.append(docs[i])
                    i += 1
                } else if i == docs.count || Exact(others[j].path) < Exact(docs[i].path) {
                    removed.append(others[j])
                    j += 1
                } else {
                    if docs[i] != others[j] {
                        added.append(docs[i])
                        removed.append(others[j])
                    }
                    i += 1
                    j += 1
                }
            }
        }
        for (folder, docs) in theirs where mine[folder] == nil { removed += docs }
        return (added, removed)
    }

    private static func index(_ s: Subtree, _ keys: inout Set<CacheKey>, _ objects: inout Set<ObjectIdentifier>) {
        if let k = s.key { keys.insert(k) }
        objects.insert(ObjectIdentifier(s))
        for child in s.children { index(child, &keys, &objects) }
    }

    /// The documents of the folders below `s` that the other graph does not hold, by folder.
    private static func unshared(
        _ s: Subtree, keys: Set<CacheKey>, objects: Set<ObjectIdentifier>,
        into out: inout [String: [GraphDocument]]
    ) {
        if objects.contains(ObjectIdentifier(s)) || s.key.map(keys.contains) == true { return }
        if let first = s.files.first { out[SnapPath.parent(first.path), default: []] += s.files }
        for child in s.children { unshared(child, keys: keys, objects: objects, into: &out) }
    }
}

extension Graph {
    /// The states of several ids (as `state(of:)` reads each), and which of `present` some
    /// document has.
    package func states(of ids: Set<Exact>, present: Set<Exact> = []) -> (states: [Exact: ChangeState], present: Set<Exact>) {
        let found = documents(withIDs: ids.union(present))
        var states: [Exact: ChangeState] = [:]
        for id in ids { states[id] = found[id].flatMap { ChangeState(documents: $0) } }
        return (states, present.filter { found[$0] != nil })
    }
}
