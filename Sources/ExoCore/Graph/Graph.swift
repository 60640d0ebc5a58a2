/// One document of the graph: where it is, its derived id, the frontmatter values exo
/// reads, and the targets of its reference fields.
public struct GraphDocument: Sendable {
    public let id: String
    /// Path relative to the workspace root, `/`-separated.
    public let path: String
    public let status: Value?
    public let assignee: Value?
    /// Targets of `ref`/`ref-list` fields, broken ones included, in field order.
    public let targets: [String]
}

/// The documents of one workspace in walk order.
public struct Graph: Sendable {
    public let documents: [GraphDocument]
    public init(documents: [GraphDocument]) { self.documents = documents }
    public static let empty = Graph(documents: [])
}

/// Parsed frontmatter shared across the snapshots of one run (HEAD and the index hold
/// almost the same blobs), keyed by content; `ParseCache.persistent` adds a store on disk.
public final class ParseCache {
    private var memory: [String: Frontmatter.Fields] = [:]
    let store: ParseStore?
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(store: ParseStore? = nil) { self.store = store }

    func fields(key: String?, read: () throws(SnapshotError) -> [UInt8]) throws(SnapshotError) -> Frontmatter.Fields {
        guard let key else { return Frontmatter.fields(of: try read()) }
        if let hit = memory[key] { hits += 1; return hit }
        if let stored = store?.load(key) { hits += 1; memory[key] = stored; return stored }
        misses += 1
        let parsed = Frontmatter.fields(of: try read())
        memory[key] = parsed
        store?.save(key, parsed)
        return parsed
    }

    /// Writes what this run parsed to the store, if there is one.
    public func flush() { store?.flush() }
}

/// A place parsed frontmatter survives between runs.
public protocol ParseStore: AnyObject {
    func load(_ key: String) -> Frontmatter.Fields?
    func save(_ key: String, _ fields: Frontmatter.Fields)
    func flush()
}

extension Workspace {
    /// Every document of the workspace in tropo's walk order, with its edges.
    public func graph(cache explicit: ParseCache? = nil) throws(ExoError) -> Graph {
        let cache = explicit ?? self.cache
        var docs: [GraphDocument] = []
        try documents { doc throws(ExoError) in
            let fields: Frontmatter.Fields
            do {
                fields = try cache.fields(key: snapshot.contentKey(doc.realPath)) { () throws(SnapshotError) in
                    try snapshot.read(doc.realPath)
                }
            } catch let error as SnapshotError {
                if error.fatal { throw .unreadable(file: snapshot.describe(doc.path), cause: error.message) }
                return  // unreadable on disk: like tropo, the file makes no node
            } catch {
                return
            }
            docs.append(GraphDocument(id: doc.id, path: doc.rel, status: fields.map["status"],
                                      assignee: fields.map["assignee"],
                                      targets: doc.config.referenceTargets(fields: fields.map, type: doc.type)))
        }
        return Graph(documents: docs)
    }

    /// A document as the walk finds it, before its bytes are read.
    struct Located {
        let path: String
        let rel: String
        let realPath: String
        let id: String
        let config: EffectiveConfig
        let type: String?
    }

    /// Every document in walk order, with the configuration in force in its folder;
    /// files excluded by that configuration (overlays) are left out.
    func documents(_ visit: (Located) throws(ExoError) -> Void) throws(ExoError) {
        try walk { (path, rel, realPath) throws(ExoError) in
            let directory = SnapPath.parent(path)
            let config = try self.config(for: directory)
            if config.excludeRules.matches(rel) { return }
            let parentName = directory == root ? rootName : SnapPath.name(directory)
            try visit(Located(path: path, rel: rel, realPath: realPath,
                              id: DocumentID.derive(fileName: SnapPath.name(path), parentName: parentName),
                              config: config, type: self.type(of: directory, config: config)))
        }
    }

    /// The nearest folder from `directory` up to the root (inclusive) whose name a type claims.
    func type(of directory: String, config: EffectiveConfig) -> String? {
        var d = directory
        while true {
            let name = d == root ? rootName : SnapPath.name(d)
            if let type = config.type(forFolder: name) { return type }
            if d == root || d.isEmpty { return nil }
            d = SnapPath.parent(d)
        }
    }

    /// tropo's walk: top-down from the root, in each folder its files then its
    /// subfolders, each in sorted name order. Excluded folders are pruned with the root's
    /// list, symlinked folders are not entered, a symlinked file counts only when its real
    /// path lies inside the root. Calls `visit(path, rel, realPath)` for each document.
    func walk(_ visit: (String, String, String) throws(ExoError) -> Void) throws(ExoError) {
        try walkDirectory(root, rel: "", visit)
    }

    private func walkDirectory(_ dir: String, rel: String,
                               _ visit: (String, String, String) throws(ExoError) -> Void) throws(ExoError) {
        let entries = snapshot.list(dir).sortedByName()
        var subdirectories: [String] = []
        for entry in entries {
            let path = SnapPath.join(dir, entry.name)
            let childRel = SnapPath.join(rel, entry.name)
            switch entry.kind {
            case .directory:
                if !base.excludeRules.matches(childRel) { subdirectories.append(entry.name) }
            case .file, .symlink, .other:
                if entry.kind == .symlink && snapshot.isDirectory(path) { continue }  // a symlinked folder
                guard DocumentID.isDocumentName(entry.name), !base.excludeRules.matches(childRel) else { continue }
                let real: String
                if entry.kind == .symlink {
                    guard let r = snapshot.realPath(path), SnapPath.isInside(r, rootReal) else { continue }
                    real = r
                } else {
                    real = path
                }
                guard snapshot.kind(real) == .file else { continue }
                try visit(path, childRel, real)
            }
        }
        for name in subdirectories {
            try walkDirectory(SnapPath.join(dir, name), rel: SnapPath.join(rel, name), visit)
        }
    }
}
