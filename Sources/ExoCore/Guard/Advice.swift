import ExoGraph
import ExoModel

/// The edit a report tells the reader to make: which frontmatter fields of a change
/// document hold a target, in the document's own terms. Read only for the changes of new
/// conflicts, from the snapshot the commit or push holds.
enum Advice {
    /// For each target of the document at `path` (relative to the workspace `root`), the
    /// reference fields (`ref`/`ref-list`, as its configuration declares them) that name it.
    static func fields(of path: String, in snapshot: Snapshot, root: String) -> [String: [String]] {
        guard let workspace = try? Workspace(snapshot: snapshot, root: root),
            let bytes = try? snapshot.read(SnapPath.join(root, path))
        else { return [:] }
        let dir = SnapPath.parent(SnapPath.join(root, path))
        guard let config = try? workspace.config(for: dir) else { return [:] }
        let references = config.referenceFields(type: workspace.type(of: dir, config: config))
        let map = Frontmatter.fields(of: bytes).map
        var out: [String: [String]] = [:]
        for key in map.keys where references.contains(Exact(key)) {
            let targets: [String]
            switch map[key] {
            case .string(let s)?: targets = [s]
            case .list(let items)?: targets = items.compactMap(\.string)
            default: continue
            }
            for t in targets where !(out[t]?.contains(key) ?? false) { out[t, default: []].append(key) }
        }
        return out
    }
}
