import Dispatch
import ExoModel
import ExoSnapshot
import ExoStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension Workspace {
    /// Every document of the workspace in tropo's walk order, with its edges.
    ///
    /// The walk takes folders a cache holds whole; the files no cache holds are read and
    /// parsed on every core while it goes on (`Prefetch`); then the documents are made.
    public func graph(cache explicit: ParseCache? = nil) throws(ExoError) -> Graph {
        let cache = explicit ?? self.cache
        // The plain engine's walk reads each file when it comes to it.
        let prefetch = (cache.remembers ? snapshot.readers : nil).map {
            Prefetch(readers: $0, encode: cache.keepsFields, maxFrontmatter: cache.maxFrontmatter)
        }
        let top: Walked
        do {
            top = try walkTree(
                root, rel: "", tree: nil, depth: 0, position: rootState.position, parent: nil, cache: cache,
                prefetch: prefetch)
        } catch {
            prefetch?.cancel()
            throw error
        }
        let read = prefetch?.finish()
        defer {
            cache.keepUntilFreed(top)
            if let prefetch { cache.keepUntilFreed(prefetch) }
        }
        return Graph(top: try finish(top, cache: cache, read: read))
    }

    /// A folder after the walk: taken whole from a cache, or its documents still to read
    /// (or taken from the same folder as an earlier walk of this run made it).
    private final class Walked {
        let key: CacheKey?
        let cached: Subtree?
        let files: [WalkedFile]
        let children: [Walked]
        let sawSymlink: Bool
        /// The folder's sorted listing and where it is kept as a version (`FolderVersion`).
        let listing: [DirectoryEntry]
        let versionKey: CacheKey?

        init(
            key: CacheKey?, cached: Subtree?, files: [WalkedFile], children: [Walked], sawSymlink: Bool,
            listing: [DirectoryEntry] = [], versionKey: CacheKey? = nil
        ) {
            self.key = key
            self.cached = cached
            self.files = files
            self.children = children
            self.sawSymlink = sawSymlink
            self.listing = listing
            self.versionKey = versionKey
        }
    }

    /// A document of a walked folder: to read and parse, or the same entry (name, blob) of
    /// an earlier version of the folder, whose document it is again. `entry`: its place in
    /// the folder's sorted listing.
    private enum WalkedFile {
        case read(Located)
        case same(GraphDocument, entry: Int)
    }

    /// The walk below `dir`, whose parent's state is `parent` (nil for the root), whose
    /// position is `position` and whose tree key, as its parent's listing gave it, is `tree`:
    /// a folder whose tree was seen in the same position is taken from the cache.
    private func walkTree(
        _ dir: String, rel: String, tree: CacheKey?, depth: Int, position: CacheKey?, parent: FolderState?,
        cache: ParseCache, prefetch: Prefetch?
    ) throws(ExoError) -> Walked {
        if depth > SnapPath.maxDepth {
            throw .tooDeep(file: snapshot.describe(SnapPath.abbreviated(dir)), limit: SnapPath.maxDepth)
        }
        let key = subtreeKey(tree ?? keyed?.treeKey(dir), position: position)
        if let key, let hit = cache.subtree(key) {
            Probe.cachedFolder.hit()
            return Walked(key: key, cached: hit, files: [], children: [], sawSymlink: false)
        }
        Probe.walkedFolder.hit()
        let versionKey = key == nil || !cache.remembers ? nil : position
        var files: [WalkedFile] = []
        let folder = try walkFolder(
            dir, rel: rel, tree: tree, position: position, parent: parent,
            previous: versionKey.flatMap { cache.folderVersions[$0] },
            same: { files.append(.same($0, entry: $1)) },
            { doc throws(ExoError) in files.append(.read(doc)) })
        if let prefetch {
            // Symlinks are read in the last step; files a cache holds are not read at all.
            var ahead: [Located] = []
            for case .read(let f) in files where f.realPath == f.path && !(f.key.map(cache.has) ?? false) { ahead.append(f) }
            if let first = prefetch.add(ahead.map { ($0.path, $0.key) }) {
                for (k, f) in ahead.enumerated() { f.readAhead = first + k }
            }
        }
        var children: [Walked] = []
        for sub in folder.subfolders {
            children.append(
                try walkTree(
                    SnapPath.join(dir, sub.name), rel: SnapPath.join(rel, sub.name), tree: sub.key, depth: depth + 1,
                    position: self.position(of: sub.name, in: folder.state), parent: folder.state, cache: cache,
                    prefetch: prefetch))
        }
        return Walked(
            key: key, cached: nil, files: files, children: children, sawSymlink: folder.sawSymlink,
            listing: folder.listing, versionKey: versionKey)
    }

    /// The documents of a walked folder, kept in the cache when they may be.
    private func finish(_ walked: Walked, cache: ParseCache, read: Prefetch.Results?) throws(ExoError) -> Subtree {
        if let cached = walked.cached { return cached }
        var files: [GraphDocument] = []
        files.reserveCapacity(walked.files.count)
        var cacheable = !walked.sawSymlink
        // Which document each entry of the listing became, for the folder's next version.
        var documentOf = [Int](repeating: -1, count: walked.listing.count)
        // A folder's files share one configuration and type (`walkFolder`).
        var references: [Exact]? = nil
        for file in walked.files {
            let doc: Located
            switch file {
            case .same(let known, let entry):
                documentOf[entry] = files.count
                files.append(known)
                continue
            case .read(let located): doc = located
            }
            let fields: Frontmatter.Fields
            let key = doc.key ?? keyed?.contentKey(doc.realPath)
            if let ahead = read?[doc.readAhead] {
                fields = cache.take(ahead, key: key)
            } else {
                do {
                    fields = try cache.fields(key: key, path: doc.realPath) {
                        () throws(ExoError) in
                        // By the listing's key where it gave one: no lookup of the path.
                        if let key = doc.key, let keyed { return try keyed.read(doc.realPath, key: key) }
                        return try snapshot.read(doc.realPath)
                    }
                } catch {
                    guard case .unreadable = error else { throw error }
                    cacheable = false
                    continue  // unreadable on disk: like tropo, the file makes no node
                }
            }
            if references == nil { references = Array(doc.config.referenceFields(type: doc.type)) }
            if doc.entry >= 0 { documentOf[doc.entry] = files.count }
            files.append(Self.document(doc, fields: fields, references: references!))
        }
        if cacheable, let versionKey = walked.versionKey {
            cache.folderVersions[versionKey] = FolderVersion(listing: walked.listing, documentOf: documentOf, files: files)
        }
        var children: [Subtree] = []
        for child in walked.children {
            let done = try finish(child, cache: cache, read: read)
            if done.key == nil { cacheable = false }
            children.append(done)
        }
        let result = Subtree(key: cacheable ? walked.key : nil, files: files, children: children)
        cache.keep(result)
        return result
    }

    /// The key a walk of `other` (another tree of this workspace's repository, with this
    /// workspace's configuration) gives its top folder.
    package func topKey(in other: Snapshot) -> CacheKey? {
        subtreeKey(other.keyed?.treeKey(root), position: rootState.position)
    }

    /// The key a folder's documents are cached under, when its tree id and position are known.
    private func subtreeKey(_ tree: CacheKey?, position: CacheKey?) -> CacheKey? {
        guard let position, let tree else { return nil }
        return keyed?.digest(["exo-guard subtree 2", tree.hex, position.hex].joined(separator: "\u{0}"))
    }

    /// A document as the walk finds it, before its bytes are read. A class: the walk hands
    /// each on from the listing to the read and the document, and a copy of a reference is
    /// one count where a copy of the parts was six.
    package final class Located {
        package let path: String
        package let rel: String
        package let realPath: String
        package let id: String
        package let config: EffectiveConfig
        package let type: String?
        /// The content key, when the listing gave it (a plain file in git).
        let key: CacheKey?
        /// Its place in its folder's sorted listing.
        let entry: Int
        /// Its place among the files a `Prefetch` read ahead (`Prefetch.Results`); -1: none.
        var readAhead = -1

        init(
            path: String, rel: String, realPath: String, id: String, config: EffectiveConfig, type: String?,
            key: CacheKey? = nil, entry: Int = -1
        ) {
            self.path = path
            self.rel = rel
            self.realPath = realPath
            self.id = id
            self.config = config
            self.type = type
            self.key = key
            self.entry = entry
        }
    }

    /// One folder of tropo's walk: top-down from the root, in each folder its files then its
    /// subfolders, each in sorted name order. Calls `visit` for each document of `dir` (with
    /// the configuration in force there; files its exclude list names are left out) and
    /// returns the subfolders to walk next (with their tree keys, when the listing has them),
    /// and the folder's state (made from `parent`'s, nil for the root; `position` its
    /// position). With `tree`, its parent's listing's key for it, the folder is listed by
    /// that key, not looked up by its path. Excluded folders are pruned with the
    /// root's list, symlinked folders are not entered, a symlinked file counts only when
    /// its real path lies inside the root.
    ///
    /// With `previous`, the same folder as an earlier walk of this run made it (same root,
    /// configuration and overlays above): a file entry it has too, with the same kind and
    /// blob, is the same document again and goes to `same` (with its place in the listing)
    /// unread. Not when either listing holds a symlink, an overlay or a thin config, which
    /// bear on more than the entry itself.
    func walkFolder(
        _ dir: String, rel: String, tree: CacheKey? = nil, position: CacheKey?, parent: FolderState?,
        previous: FolderVersion? = nil,
        same: (GraphDocument, Int) -> Void = { _, _ in },
        _ visit: (Located) throws(ExoError) -> Void
    ) throws(ExoError) -> (subfolders: [DirectoryEntry], sawSymlink: Bool, listing: [DirectoryEntry], state: FolderState) {
        let entries = (tree.flatMap { t in keyed.map { $0.list(dir, key: t) } } ?? snapshot.list(dir)).sortedByName()
        let parentName = dir == root ? rootName : SnapPath.name(dir)
        let state =
            parent.map {
                self.state(of: dir, rel: rel, name: parentName, listing: entries, position: position, parent: $0)
            } ?? rootState
        var subfolders: [DirectoryEntry] = []
        var sawSymlink = false
        let earlier = previous.flatMap { rel.isEmpty ? nil : FolderVersion.Matcher($0, entries) }
        if earlier != nil { Probe.folderFromVersion.hit() }
        for (index, entry) in entries.enumerated() {
            if entry.kind == .file, let earlier, let known = earlier.document(at: index) {
                if known >= 0 { same(earlier.version.files[known], index) }
                continue
            }
            let childRel = SnapPath.join(rel, entry.name)
            // This folder is not excluded by the root's rules (the walk entered it), so its
            // entries are matched by their names (`ExcludeRules.matches(_:entry:)`).
            switch entry.kind {
            case .directory:
                if !base.excludeRules.matches(childRel, entry: entry.name) { subfolders.append(entry) }
            case .file, .symlink, .other:
                let path = SnapPath.join(dir, entry.name)
                if entry.kind == .symlink {
                    sawSymlink = true
                    if snapshot.isDirectory(path) { continue }  // a symlinked folder
                }
                guard DocumentID.isDocumentName(entry.name), !base.excludeRules.matches(childRel, entry: entry.name)
                else { continue }
                let real: String
                if entry.kind == .symlink {
                    guard let r = snapshot.realPath(path), SnapPath.isInside(r, rootReal) else { continue }
                    real = r
                    guard snapshot.kind(real) == .file else { continue }
                } else {
                    real = path
                    guard entry.kind == .file || snapshot.kind(real) == .file else { continue }
                }
                let folderConfig = try state.config.get()
                // The root's rules were checked above; an overlay's may exclude more.
                if state.excluded {
                    Probe.excludedByFolder.hit()
                    continue
                }
                if folderConfig !== base && folderConfig.excludeRules.matches(childRel, entry: entry.name) { continue }
                try visit(
                    Located(
                        path: path, rel: childRel, realPath: real,
                        id: DocumentID.derive(fileName: entry.name, parentName: parentName),
                        config: folderConfig, type: state.type, key: entry.kind == .file ? entry.key : nil, entry: index))
            }
        }
        return (subfolders, sawSymlink, entries, state)
    }
}
