import ExoGraph
import ExoModel

/// A change no guard can judge with confidence: one the commit activates or widens toward
/// a target no document has (a typo such as `auht`), or a change document the commit adds
/// or modifies whose frontmatter does not parse (it then has no status, so no guard sees it).
public struct Doubtful: Sendable, Equatable {
    /// The change's derived id.
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
        let before = diff.base.graph
        let after = diff.target.graph
        let changed = after.differences(from: before).mine
        var out: [Doubtful] = []
        // Only a change whose documents differ from the base's can be activated or widened.
        let now = after.states(of: Set(changed.map { Exact($0.id) })).states.filter(\.value.isActive)
        let then = before.states(of: Set(now.keys)).states
        var added: [(id: Exact, state: ChangeState, targets: [String])] = []
        for (id, state) in now {
            let old = then[id].map { $0.isActive ? Set($0.targets.map { Exact($0) }) : [] } ?? []
            let new = state.targets.filter { !old.contains(Exact($0)) }
            if !new.isEmpty { added.append((id, state, new)) }
        }
        let present = after.states(of: [], present: Set(added.flatMap { $0.targets.map { Exact($0) } })).present
        for (id, state, targets) in added.sorted(by: { $0.id < $1.id }) {
            for t in targets where !present.contains(Exact(t)) {
                out.append(Doubtful(id: id.string, path: state.path, why: noDocument, value: t))
            }
        }
        // A change document without fields that the commit added, or modified so that it
        // lost its fields: only the documents that differ from the base's are looked at.
        for doc in changed
        where Coordination.Role(path: doc.path) == .change && doc.status == nil && doc.assignee == nil
            && doc.targets.isEmpty
        {
            guard let bytes = try? snapshot.read(SnapPath.join(root, doc.path)),
                let error = Frontmatter.fields(of: bytes).error
            else { continue }
            out.append(Doubtful(id: doc.id, path: doc.path, why: unparsable, value: error))
        }
        // In id order, then path, then value: the same in every run.
        let keys = out.map { (Exact($0.id), Exact($0.path), Exact($0.why), Exact($0.value)) }
        return out.indices.sorted { keys[$0] < keys[$1] }.map { out[$0] }
    }
}
