import ExoGraph
import ExoModel
import ExoSnapshot

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
    static let undeclaredStatus = "has a status its type does not declare"
    /// The commit brought the change in the very state, with no assignee, that a watched
    /// ref holds it in flight (`value` the ref's full name): a merge of that work or a
    /// second agent taking it up, which no guard can tell apart. JSON's `why` says so.
    static let takenUpElsewhere = "taken-up-elsewhere"

    /// How many doubtful changes a comparison keeps, the first in order (the JSON report's
    /// limit); the rest are counted. A push can make millions: 20 changes that each point at
    /// the same 100,000 targets no document has.
    public static let kept = 1000

    /// The first `limit` doubtful changes of a comparison in (id, path, why, value) order,
    /// and how many there are in all.
    /// `workspace`: one with the snapshot's configuration at `root` (the one its graph was
    /// read with); nil when there is none (no status is then checked against its type).
    static func find(
        _ diff: GraphDiff, snapshot: Snapshot, root: String, workspace: Workspace? = nil, limit: Int = kept
    ) -> (
        first: [Doubtful], count: Int
    ) {
        let before = diff.base.graph
        let after = diff.target.graph
        let changed = after.differences(from: before).mine
        var out: [Doubtful] = []
        var count = 0
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
            let missing = targets.lazy.filter { !present.contains(Exact($0)) }.map { Exact($0) }
            var n = 0
            for value in smallest(missing, limit - out.count, counted: &n) {
                out.append(Doubtful(id: id.string, path: state.path, why: noDocument, value: value.string))
            }
            count += n
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
            count += 1
        }
        // A change document the commit added or modified whose status is not one its type
        // declares (`actve`, `Active`): no guard would see it as work in flight.
        let statused = changed.filter { Coordination.Role(path: $0.path) == .change && $0.status?.string != nil }
        if !statused.isEmpty, let workspace {
            for doc in statused {
                let dir = SnapPath.parent(SnapPath.join(root, doc.path))
                guard let status = doc.status?.string, let config = try? workspace.config(for: dir),
                    let declared = config.declaredValues(of: "status", type: workspace.type(of: dir, config: config)),
                    !declared.contains(Exact(status))
                else { continue }
                out.append(Doubtful(id: doc.id, path: doc.path, why: undeclaredStatus, value: status))
                count += 1
            }
        }
        // In id order, then path, then value: the same in every run.
        let keys = out.map { (Exact($0.id), Exact($0.path), Exact($0.why), Exact($0.value)) }
        return (out.indices.sorted { keys[$0] < keys[$1] }.prefix(limit).map { out[$0] }, count)
    }

    /// The `k` smallest of `values`, ascending, without sorting them all (a change can point
    /// at millions); `counted` gets how many there were.
    static func smallest<S: Sequence>(_ values: S, _ k: Int, counted: inout Int) -> [Exact] where S.Element == Exact {
        var best: [Exact] = []
        var pending: [Exact] = []
        for v in values {
            counted += 1
            guard k > 0, best.count < k || v < best[k - 1] else { continue }
            pending.append(v)
            if pending.count >= max(k, 64) {
                best = Array((best + pending).sorted().prefix(k))
                pending.removeAll(keepingCapacity: true)
            }
        }
        return Array((best + pending).sorted().prefix(max(k, 0)))
    }
}
