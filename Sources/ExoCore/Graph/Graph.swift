import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One document of the graph: where it is, its derived id, the frontmatter values exo
/// reads, and the targets of its reference fields.
public struct GraphDocument: Sendable, Equatable {
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
    /// Names the documents when they came from a tree whose results may be cached.
    public let key: CacheKey?
    /// The folders the walk found the documents in (nil for a graph made from a list).
    let top: Subtree?
    private let joined: JoinedDocuments

    public init(documents: [GraphDocument], key: CacheKey? = nil) {
        self.key = key
        top = nil
        joined = JoinedDocuments(documents)
    }

    init(top: Subtree) {
        key = top.key
        self.top = top
        joined = JoinedDocuments(top)
    }

    public static let empty = Graph(documents: [])

    /// Every document in walk order; the folders' lists are joined the first time.
    public var documents: [GraphDocument] { joined.all }

    /// Tells this graph apart from any other in the run.
    var identity: ObjectIdentifier { ObjectIdentifier(joined) }

    /// Visits every document in walk order without joining the folders' lists.
    func visitDocuments(_ visit: (GraphDocument) -> Void) {
        if let top { top.visitDocuments(visit) } else { joined.all.forEach(visit) }
    }
}

/// A graph's documents as one list, made when first asked for: a hook whose views come
/// from the cache never needs it.
private final class JoinedDocuments: Sendable {
    private let list: Mutex<[GraphDocument]?>
    private let top: Subtree?

    init(_ documents: [GraphDocument]) {
        list = Mutex(documents)
        top = nil
    }

    init(_ top: Subtree) {
        list = Mutex(nil)
        self.top = top
    }

    var all: [GraphDocument] {
        list.withLock { list in
            if let list { return list }
            var out: [GraphDocument] = []
            top?.append(into: &out)
            list = out
            return out
        }
    }
}

/// Parsed frontmatter, and the documents of whole folders, shared across the snapshots of
/// one run (HEAD and the index hold almost the same blobs and trees), keyed by content;
/// with a `ParseStore` they also survive between runs.
public final class ParseCache {
    private var memory: [CacheKey: Frontmatter.Fields] = [:]
    private var subtrees: [CacheKey: Subtree] = [:]
    private var rootLists: [CacheKey: [String]] = [:]
    /// Files without a content key (on disk), parsed ahead by `prefetch`, used once.
    private var byPath: [String: Frontmatter.Fields] = [:]
    /// What a walk made and is done with (its listing, the parallel read's lists), freed
    /// with the cache: a command keeps its cache until it exits, and freeing many thousand
    /// small objects one by one costs more than exiting.
    private var spent: [AnyObject] = []
    let store: ParseStore?
    /// Whether what this run computes is kept in the store (read-only commands only read it).
    let writes: Bool

    public init(store: ParseStore? = nil, writes: Bool = true) {
        self.store = store
        self.writes = writes
    }

    /// Keeps an entry in the store, encoding it only when the store is written.
    private func save(_ kind: CacheEntryKind, _ key: CacheKey, _ payload: @autoclosure () -> [UInt8]) {
        guard writes, let store else { return }
        store.save(kind, key, payload())
    }

    func fields(key: CacheKey?, path: String, read: () throws(SnapshotError) -> [UInt8]) throws(SnapshotError)
        -> Frontmatter.Fields
    {
        guard let key else {
            if let early = byPath.removeValue(forKey: path) { return early }
            return Frontmatter.fields(of: try read())
        }
        if let hit = stored(key) { return hit }
        let parsed = Frontmatter.fields(of: try read())
        memory[key] = parsed
        save(.fields, key, CacheCoding.encode(parsed))
        return parsed
    }

    /// The fields of `key` kept in this run or by the store (decoded once, then kept here).
    private func stored(_ key: CacheKey) -> Frontmatter.Fields? {
        if let hit = memory[key] { return hit }
        guard let payload = store?.load(.fields, key), let fields = CacheCoding.fields(payload) else { return nil }
        memory[key] = fields
        return fields
    }

    /// Whether the fields of `key` are at hand without reading the file.
    func has(_ key: CacheKey) -> Bool { stored(key) != nil }

    /// Takes what a `Prefetch` read and parsed: fields by content key (kept in the store),
    /// or by path for files on disk (used once).
    func absorb(_ parsed: [Prefetch.Parsed]) {
        memory.reserveCapacity(memory.count + parsed.count)
        for p in parsed {
            if let key = p.key {
                if memory[key] == nil {
                    memory[key] = p.fields
                    if let encoded = p.encoded { save(.fields, key, encoded) }
                }
            } else {
                byPath[p.path] = p.fields
            }
        }
    }

    /// Whether parsed fields go to a store (and so should be encoded where they are parsed).
    var keepsFields: Bool { store != nil && writes }

    func keepUntilFreed(_ object: AnyObject) { spent.append(object) }

    /// A folder's documents computed before (in this run, or kept by the store).
    func subtree(_ key: CacheKey) -> Subtree? {
        if let hit = subtrees[key] { return hit }
        guard let payload = store?.load(.subtree, key),
            let (files, childKeys) = CacheCoding.subtree(payload)
        else { return nil }
        var children: [Subtree] = []
        for k in childKeys {
            guard let child = subtree(k) else { return nil }
            children.append(child)
        }
        let found = Subtree(key: key, files: files, children: children)
        subtrees[key] = found
        return found
    }

    /// Keeps a folder's documents, computed in this run, under its key; the store encodes
    /// them when it writes them (maybe on another thread: a Subtree never changes).
    func keep(_ subtree: Subtree) {
        guard let key = subtree.key else { return }
        subtrees[key] = subtree
        guard writes, let store else { return }
        store.save(.subtree, key, encoding: { CacheCoding.encode(subtree) })
    }

    /// Workspace roots below a folder, found before.
    func roots(_ key: CacheKey) -> [String]? {
        if let hit = rootLists[key] { return hit }
        guard let payload = store?.load(.roots, key), let found = CacheCoding.strings(payload) else { return nil }
        rootLists[key] = found
        return found
    }

    func keepRoots(_ key: CacheKey, _ roots: [String]) {
        rootLists[key] = roots
        save(.roots, key, CacheCoding.encode(roots))
    }

    /// exo's view of `graph`: its active items and conflicts from the cache when the graph
    /// came whole from a cached tree, else derived from the view of a graph `near` it (the
    /// other side of a comparison) when few ids differ, else computed; kept when it may be.
    public func coordination(_ graph: Graph, near: Coordination? = nil) -> Coordination {
        if let key = graph.key, let payload = store?.load(.coordination, key),
            let (active, conflicts) = CacheCoding.coordination(payload)
        {
            return Coordination(graph, active: active, conflicts: conflicts)
        }
        let computed = near.flatMap { Coordination(graph, derivedFrom: $0) } ?? Coordination(graph)
        guard let key = graph.key else { return computed }
        let conflicts = computed.conflicts
        save(.coordination, key, CacheCoding.encode(active: computed.active, conflicts: conflicts))
        return Coordination(graph, active: computed.active, conflicts: conflicts, derivation: computed.derivation)
    }

    /// Writes what this run computed to the store, if there is one.
    public func flush() { store?.flush() }

    /// Starts writing what this run computed so far, when that is a lot, while the run goes
    /// on; `flush` finishes.
    public func flushSoon() { store?.flushSoon() }
}

/// What a cache entry holds; the kind is stored with it, so an entry is only ever read back
/// as what it was written as.
public enum CacheEntryKind: UInt8, Sendable {
    case fields = 1
    case subtree = 2
    case roots = 3
    case coordination = 4
    case flights = 5
    case commitTime = 6
}

/// A place cached results survive between runs.
public protocol ParseStore: AnyObject {
    func load(_ kind: CacheEntryKind, _ key: CacheKey) -> ArraySlice<UInt8>?
    func save(_ kind: CacheEntryKind, _ key: CacheKey, _ payload: [UInt8])
    /// Keeps an entry whose bytes `encoding` makes when they are written.
    func save(_ kind: CacheEntryKind, _ key: CacheKey, encoding: @escaping @Sendable () -> [UInt8])
    func flush()
    func flushSoon()
}

/// The documents under one folder in walk order: its own files, then each walked
/// subfolder's. `key` names the folder's tree and everything outside it that the result
/// depends on; nil when the result cannot be cached (no tree id, or a symlink inside).
final class Subtree: Sendable {
    let key: CacheKey?
    let files: [GraphDocument]
    let children: [Subtree]
    /// The ids of this folder's own files, made when first asked for.
    private let ids = Mutex<Set<Exact>?>(nil)

    init(key: CacheKey?, files: [GraphDocument], children: [Subtree]) {
        self.key = key
        self.files = files
        self.children = children
    }

    /// Whether one of this folder's own files has the id.
    func holds(_ id: Exact) -> Bool {
        ids.withLock { ids in
            if ids == nil { ids = Set(files.map { Exact($0.id) }) }
            return ids!.contains(id)
        }
    }

    func append(into documents: inout [GraphDocument]) {
        documents += files
        for child in children { child.append(into: &documents) }
    }

    func visitDocuments(_ visit: (GraphDocument) -> Void) {
        files.forEach(visit)
        for child in children { child.visitDocuments(visit) }
    }
}

extension Workspace {
    /// Every document of the workspace in tropo's walk order, with its edges.
    ///
    /// The walk takes folders a cache holds whole; the files no cache holds are read and
    /// parsed on every core while it goes on (`Prefetch`); then the documents are made.
    public func graph(cache explicit: ParseCache? = nil) throws(ExoError) -> Graph {
        let cache = explicit ?? self.cache
        let prefetch = snapshot.readerFactory().map { Prefetch(readers: $0, encode: cache.keepsFields) }
        let top: Walked
        do {
            top = try walkTree(root, rel: "", context: "", cache: cache, prefetch: prefetch)
        } catch {
            prefetch?.cancel()
            throw error
        }
        if let parsed = prefetch?.finish() { cache.absorb(parsed) }
        defer {
            cache.keepUntilFreed(top)
            if let prefetch { cache.keepUntilFreed(prefetch) }
        }
        return Graph(top: try finish(top, cache: cache))
    }

    /// A folder after the walk: taken whole from a cache, or its documents still to read.
    private final class Walked {
        let key: CacheKey?
        let cached: Subtree?
        let files: [Located]
        let children: [Walked]
        let sawSymlink: Bool

        init(key: CacheKey?, cached: Subtree?, files: [Located], children: [Walked], sawSymlink: Bool) {
            self.key = key
            self.cached = cached
            self.files = files
            self.children = children
            self.sawSymlink = sawSymlink
        }
    }

    /// The walk below `dir`: `context` describes the overlays and thin configs of the
    /// folders between the root and `dir` (nil when one of them cannot be described, e.g.
    /// a symlink); a folder whose tree was seen under the same context is taken from the cache.
    private func walkTree(
        _ dir: String, rel: String, context: String?, cache: ParseCache,
        prefetch: Prefetch?
    ) throws(ExoError) -> Walked {
        let key = subtreeKey(dir, rel: rel, context: context)
        if let key, let hit = cache.subtree(key) {
            return Walked(key: key, cached: hit, files: [], children: [], sawSymlink: false)
        }
        var files: [Located] = []
        let folder = try walkFolder(dir, rel: rel) { doc throws(ExoError) in files.append(doc) }
        if let prefetch {
            // Symlinks are read in the last step; files a cache holds are not read at all.
            prefetch.add(
                files.compactMap { $0.realPath == $0.path && !($0.key.map(cache.has) ?? false) ? ($0.path, $0.key) : nil })
        }
        let childContext = self.childContext(dir, rel: rel, context: context)
        var children: [Walked] = []
        for name in folder.subfolders {
            children.append(
                try walkTree(
                    SnapPath.join(dir, name), rel: SnapPath.join(rel, name), context: childContext,
                    cache: cache, prefetch: prefetch))
        }
        return Walked(key: key, cached: nil, files: files, children: children, sawSymlink: folder.sawSymlink)
    }

    /// The documents of a walked folder, kept in the cache when they may be.
    private func finish(_ walked: Walked, cache: ParseCache) throws(ExoError) -> Subtree {
        if let cached = walked.cached { return cached }
        var files: [GraphDocument] = []
        files.reserveCapacity(walked.files.count)
        var cacheable = !walked.sawSymlink
        // A folder's files share one configuration and type (`walkFolder`).
        let references = walked.files.first.map { Array($0.config.referenceFields(type: $0.type)) } ?? []
        for doc in walked.files {
            let fields: Frontmatter.Fields
            do {
                fields = try cache.fields(key: doc.key ?? snapshot.contentKey(doc.realPath), path: doc.realPath) {
                    () throws(SnapshotError) in
                    try snapshot.read(doc.realPath)
                }
            } catch {
                if error.fatal { throw .unreadable(file: snapshot.describe(doc.path), cause: error.message) }
                cacheable = false
                continue  // unreadable on disk: like tropo, the file makes no node
            }
            files.append(
                GraphDocument(
                    id: doc.id, path: doc.rel, status: fields.map["status"],
                    assignee: fields.map["assignee"],
                    targets: EffectiveConfig.referenceTargets(fields: fields.map, references: references)))
        }
        var children: [Subtree] = []
        for child in walked.children {
            let done = try finish(child, cache: cache)
            if done.key == nil { cacheable = false }
            children.append(done)
        }
        let result = Subtree(key: cacheable ? walked.key : nil, files: files, children: children)
        cache.keep(result)
        return result
    }

    /// The key a folder's documents are cached under, when its tree id and context are known.
    private func subtreeKey(_ dir: String, rel: String, context: String?) -> CacheKey? {
        guard let context, let tree = snapshot.treeKey(dir) else { return nil }
        return snapshot.digest(
            ["exo-guard subtree 1", tree.hex, root, rootName, rel, baseFingerprint, context]
                .joined(separator: "\u{0}"))
    }

    /// The context of `dir`'s subfolders.
    private func childContext(_ dir: String, rel: String, context: String?) -> String? {
        rel.isEmpty ? "" : context.flatMap { c in contextEntry(dir).map { c + "/" + $0 } }
    }

    /// What a folder between the root and a cached folder contributes to its context: its
    /// overlay's blob and whether it holds a thin config; nil when a symlink is involved.
    private func contextEntry(_ dir: String) -> String? {
        let overlay = SnapPath.join(dir, Self.legacyConfig)
        let thin = SnapPath.join(dir, ".vivary")
        var out = ""
        switch snapshot.kind(overlay) {
        case nil: out = "-"
        case .file?:
            guard let k = snapshot.contentKey(overlay) else { return nil }
            out = k.hex
        case .directory?: out = "d"
        case .symlink?, .other?: return nil
        }
        switch snapshot.kind(thin) {
        case nil: out += ",-"
        case .directory?:
            guard let k = snapshot.treeKey(thin) else { return nil }
            out += "," + k.hex
        case .file?: out += ",f"
        case .symlink?, .other?: return nil
        }
        return out
    }

    /// A document as the walk finds it, before its bytes are read.
    struct Located {
        let path: String
        let rel: String
        let realPath: String
        let id: String
        let config: EffectiveConfig
        let type: String?
        /// The content key, when the listing gave it (a plain file in git).
        var key: CacheKey? = nil
    }

    /// Every document in walk order, with the configuration in force in its folder;
    /// files excluded by that configuration (overlays) are left out.
    func documents(_ visit: (Located) throws(ExoError) -> Void) throws(ExoError) {
        func walk(_ dir: String, _ rel: String) throws(ExoError) {
            for name in try walkFolder(dir, rel: rel, visit).subfolders {
                try walk(SnapPath.join(dir, name), SnapPath.join(rel, name))
            }
        }
        try walk(root, "")
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

    /// One folder of tropo's walk: top-down from the root, in each folder its files then its
    /// subfolders, each in sorted name order. Calls `visit` for each document of `dir` (with
    /// the configuration in force there; files its exclude list names are left out) and
    /// returns the subfolders to walk next. Excluded folders are pruned with the root's list,
    /// symlinked folders are not entered, a symlinked file counts only when its real path
    /// lies inside the root.
    func walkFolder(
        _ dir: String, rel: String,
        _ visit: (Located) throws(ExoError) -> Void
    ) throws(ExoError) -> (subfolders: [String], sawSymlink: Bool) {
        let entries = snapshot.list(dir).sortedByName()
        var subfolders: [String] = []
        var sawSymlink = false
        var config: EffectiveConfig? = nil
        var type: String?? = nil
        let parentName = dir == root ? rootName : SnapPath.name(dir)
        for entry in entries {
            let childRel = SnapPath.join(rel, entry.name)
            switch entry.kind {
            case .directory:
                if !base.excludeRules.matches(childRel) { subfolders.append(entry.name) }
            case .file, .symlink, .other:
                let path = SnapPath.join(dir, entry.name)
                if entry.kind == .symlink {
                    sawSymlink = true
                    if snapshot.isDirectory(path) { continue }  // a symlinked folder
                }
                guard DocumentID.isDocumentName(entry.name), !base.excludeRules.matches(childRel) else { continue }
                let real: String
                if entry.kind == .symlink {
                    guard let r = snapshot.realPath(path), SnapPath.isInside(r, rootReal) else { continue }
                    real = r
                    guard snapshot.kind(real) == .file else { continue }
                } else {
                    real = path
                    guard entry.kind == .file || snapshot.kind(real) == .file else { continue }
                }
                let folderConfig: EffectiveConfig
                if let config { folderConfig = config } else { folderConfig = try self.config(for: dir) }
                config = folderConfig
                // The root's rules were checked above; an overlay's may exclude more.
                if folderConfig !== base && folderConfig.excludeRules.matches(childRel) { continue }
                let folderType = type ?? self.type(of: dir, config: folderConfig)
                type = folderType
                try visit(
                    Located(
                        path: path, rel: childRel, realPath: real,
                        id: DocumentID.derive(fileName: entry.name, parentName: parentName),
                        config: folderConfig, type: folderType, key: entry.kind == .file ? entry.key : nil))
            }
        }
        return (subfolders, sawSymlink)
    }
}
