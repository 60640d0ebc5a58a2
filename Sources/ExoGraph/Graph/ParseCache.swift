import Dispatch
import ExoModel
import ExoSnapshot
import ExoStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Parsed frontmatter, and the documents of whole folders, shared across the snapshots of
/// one run (HEAD and the index hold almost the same blobs and trees), keyed by content;
/// with a `ParseStore` they also survive between runs. The session chooses it; the plain
/// engine's remembers nothing (`remembering: false`): every walk reads and parses every
/// file, one by one, with no folder, fields or version of a folder taken from before.
public final class ParseCache {
    private var memory: [CacheKey: Frontmatter.Fields] = [:]
    private var subtrees: [CacheKey: Subtree] = [:]
    private var rootLists: [CacheKey: [String]] = [:]
    /// What a walk made and is done with (its listing, the parallel read's lists), freed
    /// with the cache: a command keeps its cache until it exits, and freeing many thousand
    /// small objects one by one costs more than exiting.
    private var spent: [AnyObject] = []
    /// The last version of each folder a walk made in this run, by everything but its tree.
    var folderVersions: [CacheKey: FolderVersion] = [:]
    /// Keys whose entry in the store was found and could not be read back this run (damaged,
    /// or written in another form): kept again rather than taken as there.
    package var refused: Set<CacheKey> = []
    package let store: ParseStore?
    /// Whether what this run computes is kept in the store (read-only commands only read it).
    package let writes: Bool

    /// Whether anything is remembered at all (false: the plain engine's walk).
    public let remembers: Bool

    /// A cache over `store` (none: this run only); `writes` false leaves the store as it is;
    /// `remembering` false: nothing kept or read back, not even within the run (no store).
    public init(store: ParseStore? = nil, writes: Bool = true, remembering: Bool = true) {
        self.store = remembering ? store : nil
        self.writes = writes
        remembers = remembering
    }

    /// Keeps an entry in the store, its bytes made on another thread from now on.
    package func saveAside(_ kind: CacheEntryKind, _ key: CacheKey, _ encoding: @escaping @Sendable () -> [UInt8]) {
        guard writes, let store else { return }
        Probe.encodedAside.hit()
        store.save(kind, key, encodingAside: encoding)
    }

    /// Keeps an entry in the store, encoding it only when the store is written.
    package func save(_ kind: CacheEntryKind, _ key: CacheKey, _ payload: @autoclosure () -> [UInt8]) {
        guard writes, let store else { return }
        store.save(kind, key, payload())
    }

    /// The longest frontmatter a document may have, in bytes (git config
    /// `exo.maxFrontmatter`, default 64 MiB), whatever snapshot it comes from: a longer one
    /// is refused in one line rather than parsed.
    public var maxFrontmatter = 64 << 20

    /// `bytes` unless their frontmatter, delimiter lines included, is longer than
    /// `maxFrontmatter`; measured only for a document longer than that.
    func bounded(_ bytes: [UInt8], path: String) throws(ExoError) -> [UInt8] {
        guard bytes.count > maxFrontmatter, let m = Frontmatter.match(Frontmatter.normalize(bytes)),
            m.end > maxFrontmatter
        else { return bytes }
        throw .frontmatterTooLarge(file: path, size: bytes.count, limit: maxFrontmatter)
    }

    package func fields(key: CacheKey?, path: String, read: () throws(ExoError) -> [UInt8]) throws(ExoError)
        -> Frontmatter.Fields
    {
        guard let key, remembers else {
            Probe.parsedInWalk.hit()
            return Frontmatter.fields(of: try bounded(try read(), path: path))
        }
        if let hit = stored(key) { return hit }
        Probe.parsedInWalk.hit()
        let parsed = Frontmatter.fields(of: try bounded(try read(), path: path))
        memory[key] = parsed
        save(.fields, key, CacheCoding.encode(parsed))
        return parsed
    }

    /// The fields of `key` kept in this run or by the store (decoded once, then kept here).
    private func stored(_ key: CacheKey) -> Frontmatter.Fields? {
        if let hit = memory[key] { return hit }
        guard let payload = store?.load(.fields, key), let fields = CacheCoding.fields(payload) else { return nil }
        Probe.cachedFields.hit()
        memory[key] = fields
        return fields
    }

    /// Whether the fields of `key` are at hand without reading the file.
    func has(_ key: CacheKey) -> Bool { remembers && stored(key) != nil }

    /// The fields a `Prefetch` read for the document the walk looks up under `key`: kept in
    /// this run (one probe of the table) and in the store, as if parsed here.
    func take(_ parsed: Prefetch.Parsed, key: CacheKey?) -> Frontmatter.Fields {
        guard let key, remembers else { return parsed.fields }
        if memory.updateValue(parsed.fields, forKey: key) == nil {
            save(.fields, key, parsed.encoded ?? CacheCoding.encode(parsed.fields))
        }
        return parsed.fields
    }

    /// Whether parsed fields go to a store (and so should be encoded where they are parsed).
    var keepsFields: Bool { store != nil && writes }

    /// Keeps `object` until the cache goes, for the first walks of a run; later ones are
    /// freed as they go: a push of a thousand refs walks a thousand trees, and holding every
    /// walk's lists to the end was a fifth of its memory.
    func keepUntilFreed(_ object: AnyObject) {
        if spent.count < Self.keptSpent { spent.append(object) }
    }

    /// How many walks' leftovers `keepUntilFreed` keeps (each walk leaves two).
    static let keptSpent = 16

    /// A folder's documents computed before (in this run, or kept by the store). A folder
    /// kept by the store comes with every folder below it, read level by level: each
    /// level's entries loaded here and checked together, on every core
    /// (`CacheCoding.subtreeShapes`). nil when one of them is missing or malformed; the
    /// folders below it that are whole are kept for the run all the same.
    func subtree(_ key: CacheKey) -> Subtree? {
        guard remembers else { return nil }
        if let hit = subtrees[key] { return hit }
        guard let store else { return nil }
        var shapes: [CacheKey: (files: CacheCoding.KeptFiles, children: [CacheKey])] = [:]
        var whole = true
        var level = [key]
        var seen: Set<CacheKey> = [key]
        while !level.isEmpty {
            var keys: [CacheKey] = []
            var payloads: [CacheCoding.Payload] = []
            for k in level where subtrees[k] == nil {
                if let mapped = store.loadMapped(.subtree, k) {
                    Probe.folderInPlace.hit()
                    payloads.append(.mapped(mapped))
                } else if let payload = store.load(.subtree, k) {
                    payloads.append(.bytes(payload))
                } else {
                    whole = false
                    continue
                }
                keys.append(k)
            }
            level = []
            for (k, shape) in zip(keys, CacheCoding.subtreeShapes(payloads)) {
                guard let shape else {
                    whole = false
                    continue
                }
                shapes[k] = shape
                for child in shape.children where seen.insert(child).inserted { level.append(child) }
            }
        }
        func build(_ k: CacheKey) -> Subtree? {
            if let hit = subtrees[k] { return hit }
            guard let (files, childKeys) = shapes[k] else { return nil }
            var children: [Subtree] = []
            for c in childKeys {
                guard let child = build(c) else { return nil }
                children.append(child)
            }
            let made = Subtree(key: k, kept: files, children: children)
            subtrees[k] = made
            return made
        }
        if !whole { for k in shapes.keys { _ = build(k) } }
        return build(key)
    }

    /// Keeps a folder's documents, computed in this run, under its key; the store encodes
    /// them when it writes them (maybe on another thread: a Subtree never changes).
    func keep(_ subtree: Subtree) {
        guard remembers, let key = subtree.key else { return }
        subtrees[key] = subtree
        guard writes, let store else { return }
        store.save(.subtree, key, encoding: { CacheCoding.encode(subtree) })
    }

    /// Workspace roots below a folder, found before.
    func roots(_ key: CacheKey) -> [String]? {
        guard remembers else { return nil }
        if let hit = rootLists[key] { return hit }
        guard let payload = store?.load(.roots, key), let found = CacheCoding.strings(payload) else { return nil }
        rootLists[key] = found
        return found
    }

    func keepRoots(_ key: CacheKey, _ roots: [String]) {
        guard remembers else { return }
        rootLists[key] = roots
        save(.roots, key, CacheCoding.encode(roots))
    }

    /// Writes what this run computed to the store, if there is one.
    public func flush() { store?.flush() }

    /// Starts writing what this run computed so far, when that is a lot, while the run goes
    /// on; `flush` finishes.
    public func flushSoon() { store?.flushSoon() }
}
