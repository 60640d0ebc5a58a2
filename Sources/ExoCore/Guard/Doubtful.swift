/// A change no guard can judge with confidence: one the commit activates or widens toward
/// a target no document has (a typo such as `auht`), or a change document the commit adds
/// or modifies whose frontmatter does not parse (it then has no status, so no guard sees it).
public struct Doubtful: Sendable, Equatable {
    public let id: String
    /// The document's path inside the tree.
    public let path: String
    /// Why it is doubtful, in a few words.
    public let why: String
    /// The doubtful value: the target no document has, or the parse error.
    public let value: String

    static let noDocument = "points at a target no document has"
    static let unparsable = "frontmatter does not parse"

    /// The doubtful changes of a comparison, in id order.
    static func find(_ diff: GraphDiff, snapshot: Snapshot, root: String) -> [Doubtful] {
        let before = diff.base
        let after = diff.target
        var out: [Doubtful] = []
        let activated = Set(diff.activated.map { Exact($0) })
        for id in after.active {
            let old = activated.contains(Exact(id)) ? [] : Set(before.targets(of: id))
            for t in after.targets(of: id) where !old.contains(t) && after.node(t.string) == nil {
                out.append(Doubtful(id: id, path: after.node(id)?.path ?? "", why: noDocument, value: t.string))
            }
        }
        // A change document without fields that the commit added, or modified so that it
        // lost its fields: only the documents that differ from the base's are looked at.
        for doc in after.graph.differences(from: before.graph).mine
        where Coordination.Role(path: doc.path) == .change && doc.status == nil && doc.assignee == nil
            && doc.targets.isEmpty
        {
            guard let bytes = try? snapshot.read(SnapPath.join(root, doc.path)),
                let error = Frontmatter.fields(of: bytes).error
            else { continue }
            out.append(Doubtful(id: doc.id, path: doc.path, why: unparsable, value: error))
        }
        return out
    }
}
