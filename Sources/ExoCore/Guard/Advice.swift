import ExoGraph
import ExoModel
import ExoRules
import ExoSnapshot

/// The edit a report tells the reader to make: which frontmatter fields of a change
/// document hold a target, in the document's own terms. Read only for the changes of the
/// new conflicts the report lists, from the snapshot the commit or push holds.
struct Advice {
    let snapshot: Snapshot
    let root: String
    /// A workspace with the snapshot's configuration at `root` (the one its graph was read
    /// with): read once for every document advised on; nil when there is none.
    let workspace: Workspace?

    /// For each target of the document at `path` (relative to the workspace `root`), the
    /// reference fields (`ref`/`ref-list`, as its configuration declares them) that name it.
    func fields(of path: String) -> [String: [String]] {
        guard let workspace, let bytes = try? snapshot.read(SnapPath.join(root, path)) else { return [:] }
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

    /// The changes whose next step a report spells out: those of the new pairs it lists one
    /// by one (`GuardReport.listedPairs`), not every change of every new pair.
    static func advised(_ diff: GraphDiff, _ branches: BranchDiff) -> Set<String> {
        let (local, across) = GuardReport.listedPairs(diff, branches)
        var ids = Set(diff.new.prefix(local).flatMap { [$0.a, $0.b] })
        ids.formUnion(branches.new.prefix(across).map(\.a))
        return ids
    }
}
