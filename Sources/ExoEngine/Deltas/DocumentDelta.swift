import ExoGraph
import ExoModel
import ExoSnapshot
import ExoStore

/// The documents the files of a `TreeDelta` make on each of its two sides, as the walk of
/// either side would make them: the file located in the workspace (excluded folders, the
/// configuration and type in force in its folder, its derived id), then its frontmatter
/// read through the parse cache.
package struct DocumentDelta {
    /// Every path the delta holds, relative to the root, document or not.
    package let paths: Set<Exact>
    /// The documents of the first side at those paths.
    package let before: [GraphDocument]
    /// The documents of the second side at those paths.
    package let after: [GraphDocument]
}

extension Workspace {
    /// The documents of `delta`'s files: `before` read from `first`, `after` from `second`.
    ///
    /// Exact only when this workspace's configuration is the one in force on both sides,
    /// which `TreeDelta` makes sure of: it refuses a delta that touches a configuration,
    /// an overlay, a thin configuration or the packs, so each folder's configuration and
    /// type, read here from this workspace's snapshot, are the same on either side.
    package func documents(
        of delta: TreeDelta, first: Snapshot, second: Snapshot, cache: ParseCache
    ) throws(ExoError) -> DocumentDelta {
        var before: [GraphDocument] = []
        var after: [GraphDocument] = []
        var paths = Set<Exact>()
        for file in delta.files {
            paths.insert(Exact(file.rel))
            guard let located = try locate(file.rel) else { continue }
            if let key = file.before { before.append(try document(located, key: key, in: first, cache: cache)) }
            if let key = file.after { after.append(try document(located, key: key, in: second, cache: cache)) }
        }
        return DocumentDelta(paths: paths, before: before, after: after)
    }

    private func document(
        _ located: Located, key: CacheKey, in snapshot: Snapshot, cache: ParseCache
    ) throws(ExoError) -> GraphDocument {
        let fields = try cache.fields(key: key, path: located.path) { () throws(ExoError) in
            try snapshot.read(located.path, orBy: key)
        }
        return Self.document(located, fields: fields, references: Array(located.config.referenceFields(type: located.type)))
    }
}
