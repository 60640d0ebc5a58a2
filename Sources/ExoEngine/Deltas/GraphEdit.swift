import ExoGraph
import ExoModel
import ExoSnapshot
import ExoStore

extension Graph {
    /// This graph with the documents at `delta`'s paths replaced by those of its second
    /// side: the graph a walk of the second side makes, when this is the first side's graph
    /// made by a walk of folders with no symlink (`key` not nil) and `delta` is exact
    /// (`TreeDelta`: no configuration, overlay or symlink changed, so every other document
    /// is made again the same, in the same place). Each folder on the way to a changed file
    /// is made again, every other one is this graph's own; a folder made again knows what
    /// it was made from (`Subtree.Derivation`), so that comparing the two graphs costs what
    /// changed. Nil when a document goes to a folder this graph holds no document under (its
    /// place among the subfolders is not known without its listing), or when the documents
    /// `delta` takes out are not this graph's. `key` names the result (nil: none).
    package func applying(_ delta: DocumentDelta, key: CacheKey?) -> Graph? {
        guard let top, self.key != nil else { return nil }
        var edits: [Exact: Subtree.Edit] = [:]
        for doc in delta.before { edits[Exact(SnapPath.parent(doc.path)), default: Subtree.Edit()].removed.append(doc) }
        for doc in delta.after { edits[Exact(SnapPath.parent(doc.path)), default: Subtree.Edit()].added.append(doc) }
        guard let made = top.applying(&edits, rel: "", key: key), edits.isEmpty else { return nil }
        return Graph(top: made)
    }
}

extension Subtree {
    /// The documents one folder loses and gains.
    struct Edit {
        var removed: [GraphDocument] = []
        var added: [GraphDocument] = []
    }

    /// This folder (at `rel`, relative to the root) with the edits of it and of the folders
    /// below it applied, each taken out of `edits` as it is; nil when one cannot be.
    func applying(_ edits: inout [Exact: Edit], rel: String, key: CacheKey?) -> Subtree? {
        var files = self.files
        var removed: [GraphDocument] = []
        var added: [GraphDocument] = []
        if let own = edits.removeValue(forKey: Exact(rel)) {
            removed = own.removed.sorted { SnapPath.walksBefore($0.path, $1.path) }
            added = own.added.sorted { SnapPath.walksBefore($0.path, $1.path) }
            // The folder's files are in walk order (name order): each document taken out is
            // found by a binary search, and must be the one there.
            var places: [Int] = []
            for doc in removed {
                let i = partitionPoint(files.indices) { !SnapPath.walksBefore(files[$0].path, doc.path) }
                guard i < files.count, files[i] == doc else { return nil }
                places.append(i)
            }
            for i in places.reversed() { files.remove(at: i) }
            for doc in added {
                let i = partitionPoint(files.indices) { !SnapPath.walksBefore(files[$0].path, doc.path) }
                guard i == files.count || Coordination.walkOrder(files[i].path, doc.path) != 0 else { return nil }
                files.insert(doc, at: i)
            }
        }
        var children = self.children
        if !edits.isEmpty {
            for (i, child) in children.enumerated() {
                guard let name = child.folderName(below: rel) else { continue }
                let childRel = SnapPath.join(rel, name)
                let prefix = Array((childRel + "/").utf8)
                guard edits.keys.contains(where: { $0 == Exact(childRel) || $0.string.utf8.starts(with: prefix) })
                else { continue }
                guard let made = child.applying(&edits, rel: childRel, key: nil) else { return nil }
                children[i] = made
            }
        }
        return Subtree(
            key: key, files: files, children: children,
            derivation: Derivation(from: self, removed: removed, added: added))
    }

    /// The name of this folder, inside the folder `rel`: read from the path of a document
    /// in it or below it; nil when there is none.
    private func folderName(below rel: String) -> String? {
        guard let path = anyPath() else { return nil }
        let bytes = path.utf8
        let start = bytes.index(bytes.startIndex, offsetBy: rel.isEmpty ? 0 : rel.utf8.count + 1)
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.endIndex
        return String(path[start..<end])
    }

    /// The path of the first document in this folder or below it.
    private func anyPath() -> String? {
        if let first = firstPath { return first }
        for child in children { if let found = child.anyPath() { return found } }
        return nil
    }
}
