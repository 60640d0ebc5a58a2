import ExoModel
import ExoSnapshot
import ExoStore

/// One file found as the walk would find it, without walking: what the fast engine's
/// graphs made from a near one's and the files that differ (ExoEngine's DocumentDelta)
/// ask, by the walk's own rules.
extension Workspace {
    /// A document from where the walk found it and its frontmatter.
    package static func document(_ doc: Located, fields: Frontmatter.Fields, references: [Exact]) -> GraphDocument {
        GraphDocument(
            id: doc.id, path: doc.rel, status: fields.map["status"], assignee: fields.map["assignee"],
            targets: EffectiveConfig.referenceTargets(fields: fields.map, references: references))
    }

    /// The file `rel` (relative to the root) as the walk would find it, when it is a plain
    /// file there: nil when the walk passes it over (a folder on the way or the file itself
    /// excluded, or not a document's name). As `walkFolder` decides it, for a tree with no
    /// symlinks.
    package func locate(_ rel: String) throws(ExoError) -> Located? {
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
