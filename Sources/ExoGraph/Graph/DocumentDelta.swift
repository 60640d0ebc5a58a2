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

    /// A document from where the walk found it and its frontmatter.
    static func document(_ doc: Located, fields: Frontmatter.Fields, references: [Exact]) -> GraphDocument {
        GraphDocument(
            id: doc.id, path: doc.rel, status: fields.map["status"], assignee: fields.map["assignee"],
            targets: EffectiveConfig.referenceTargets(fields: fields.map, references: references))
    }

    /// The file `rel` (relative to the root) as the walk would find it, when it is a plain
    /// file there: nil when the walk passes it over (a folder on the way or the file itself
    /// excluded, or not a document's name). As `walkFolder` decides it, for a tree with no
    /// symlinks.
    func locate(_ rel: String) throws(ExoError) -> Located? {
        let name = SnapPath.name(rel)
        if SnapPath.depth(rel) > SnapPath.maxDepth {  // where the walk stops
            throw .tooDeep(file: snapshot.describe(SnapPath.abbreviated(rel)), limit: SnapPath.maxDepth)
        }
        let dirRel = SnapPath.parent(rel)
        // The walk prunes a folder on the way, or passes the file over.
        guard let state = walkedState(dirRel), DocumentID.isDocumentName(name),
            !base.excludeRules.matches(rel, entry: name)
        else { return nil }
        let config = try state.config.get()
        if state.excluded {
            Probe.excludedByFolder.hit()
            return nil
        }
        if config !== base && config.excludeRules.matches(rel, entry: name) { return nil }
        let path = SnapPath.join(root, rel)
        return Located(
            path: path, rel: rel, realPath: path,
            id: DocumentID.derive(fileName: name, parentName: dirRel.isEmpty ? rootName : SnapPath.name(dirRel)),
            config: config, type: state.type)
    }

    /// A folder `locate` has reached: its state (nil when the walk prunes it) and its
    /// subfolders in this workspace's snapshot, with their tree keys where the listing has
    /// them (none where the folder is not in the snapshot: a branch made it).
    struct Reached {
        let state: FolderState?
        let subfolders: [Exact: CacheKey?]

        init(state: FolderState?, listing: [DirectoryEntry]) {
            self.state = state
            var subfolders: [Exact: CacheKey?] = [:]
            for entry in listing where entry.kind == .directory { subfolders[Exact(entry.name)] = .some(entry.key) }
            self.subfolders = subfolders
        }
    }

    /// The state of the folder `dirRel` (relative to the root) as the walk reaches it; nil
    /// when the walk never does (it, or a folder above it, is excluded by the root's rules).
    /// Made from the nearest folder already reached, a step a folder, each listed by the
    /// tree key its parent's listing gave (not looked up by its path), and kept.
    private func walkedState(_ dirRel: String) -> FolderState? {
        var missing: [String] = []
        var rel = dirRel
        while walkedStates[rel] == nil && !rel.isEmpty {
            missing.append(rel)
            rel = SnapPath.parent(rel)
        }
        var reached: Reached
        if let known = walkedStates[rel] {
            reached = known
        } else {
            reached = Reached(state: rootState, listing: snapshot.list(root))
            walkedStates[""] = reached
        }
        for folder in missing.reversed() {
            let name = SnapPath.name(folder)
            if let parent = reached.state, !base.excludeRules.matches(folder, entry: name) {
                let dir = SnapPath.join(root, folder)
                let listing: [DirectoryEntry]
                switch reached.subfolders[Exact(name)] {
                case nil: listing = []  // not in this snapshot
                case .some(nil): listing = snapshot.list(dir)
                case .some(.some(let key)): listing = snapshot.list(dir, orBy: key)
                }
                let state = self.state(of: dir, rel: folder, name: name, listing: listing, position: nil, parent: parent)
                reached = Reached(state: state, listing: listing)
            } else {
                reached = Reached(state: nil, listing: [])
            }
            walkedStates[folder] = reached
        }
        return reached.state
    }
}
