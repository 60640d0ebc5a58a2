import ExoModel
import ExoSnapshot

/// A workspace inside a snapshot: its root, its composed configuration, and the
/// configuration in force in each folder (nested `tropo.toml` overlays).
public final class Workspace {
    /// What the workspace is read from.
    public let snapshot: Snapshot
    /// The snapshot's keys, when it has them (a git snapshot): the walk's fast paths.
    let keyed: KeyedSnapshot?
    /// The root folder, as a snapshot path.
    public let root: String
    let rootReal: String
    let base: EffectiveConfig
    /// The root configuration as text, part of every cached folder's key.
    let baseFingerprint: String
    private var configCache: [String: EffectiveConfig] = [:]
    /// The folders `locate` has reached, by their path from the root.
    var walkedStates: [String: Reached] = [:]
    /// The root folder's state, which every folder's is made from.
    lazy var rootState = makeRootState()
    /// Every file the root's configuration is or could be composed from, as snapshot paths:
    /// the thin and the legacy configuration at the root, each pack's own file (found or
    /// not), the root overlay. A change to one of them changes the configuration.
    package let configInputs: Set<Exact>
    /// Parsed documents, shared across graphs; a git snapshot's may be kept on disk. The
    /// session's, given when the workspace is opened (a workspace makes no cache of its own).
    public let cache: ParseCache

    package static let legacyConfig = "tropo.toml"

    /// Opens the workspace rooted at `root` (a folder found by `WorkspaceRoot.find`), its
    /// documents parsed through `cache`.
    public init(snapshot: Snapshot, root: String, cache: ParseCache) throws(ExoError) {
        self.snapshot = snapshot
        self.cache = cache
        keyed = snapshot.keyed
        self.root = root
        self.rootReal = snapshot.realPath(root) ?? root
        let thinPath = SnapPath.join(root, ThinWorkspace.configPath)
        let isThin = snapshot.isFile(thinPath)
        let selected = isThin ? thinPath : SnapPath.join(root, Self.legacyConfig)
        let raw = try Self.readTOML(snapshot, selected)
        var composition = Composition()
        var inputs: Set<Exact> = [Exact(thinPath), Exact(SnapPath.join(root, Self.legacyConfig))]
        if isThin {
            if let ancestor = WorkspaceRoot.thinAncestor(above: root, in: snapshot) {
                throw .competingRoots([snapshot.describe(root), snapshot.describe(ancestor)])
            }
            let file = snapshot.describe(thinPath)
            if snapshot.kind(thinPath) == .symlink {
                throw .config(file: file, cause: "thin workspace config cannot be a symlink")
            }
            guard let real = snapshot.realPath(thinPath), SnapPath.isInside(real, rootReal) else {
                throw .config(file: file, cause: "thin workspace config escapes its workspace")
            }
            do { try ThinWorkspace.validate(raw) } catch { throw .config(file: file, cause: error.cause) }
        }
        for pack in try Self.packNames(raw["packs"], file: snapshot.describe(selected)) {
            if let own = Self.packPath(pack, root: root) { inputs.insert(Exact(own)) }
            let (packFile, packTable) = try Self.readPack(pack, root: root, snapshot: snapshot, namedIn: selected)
            do { try composition.merge(packTable) } catch { throw .config(file: packFile, cause: error.cause) }
        }
        do { try composition.merge(raw) } catch { throw .config(file: snapshot.describe(selected), cause: error.cause) }
        let rootOverlay = SnapPath.join(root, Self.legacyConfig)
        if isThin && snapshot.isFile(rootOverlay) {
            let overlay = try Self.readTOML(snapshot, rootOverlay)
            do { try composition.merge(overlay) } catch {
                throw .config(file: snapshot.describe(rootOverlay), cause: error.cause)
            }
        }
        configInputs = inputs
        baseFingerprint = composition.fingerprint
        do { base = try EffectiveConfig(composition) } catch {
            throw .config(file: snapshot.describe(selected), cause: error.cause)
        }
    }

    /// The workspace at `other`'s root in `snapshot`, read with `other`'s root
    /// configuration (a merge base whose own cannot be read is read with the ref tip's:
    /// an unreadable merge base is not an empty one). Nested overlays are `snapshot`'s.
    package init(snapshot: Snapshot, configuredAs other: Workspace) {
        self.snapshot = snapshot
        keyed = snapshot.keyed
        root = other.root
        rootReal = snapshot.realPath(other.root) ?? other.root
        base = other.base
        baseFingerprint = other.baseFingerprint
        configInputs = other.configInputs
        cache = other.cache
    }

    /// The name exo sees for the root folder (its basename, or the checkout's name at a tree's top).
    var rootName: String { root.isEmpty ? snapshot.topName : SnapPath.name(root) }

    static func readTOML(_ snapshot: Snapshot, _ path: String) throws(ExoError) -> OrderedMap {
        let file = snapshot.describe(path)
        guard let real = snapshot.realPath(path), snapshot.kind(real) == .file else {
            throw .config(file: file, cause: "not a readable file")
        }
        let bytes: [UInt8]
        do {
            bytes = try snapshot.read(real)
        } catch {
            // Named as the configuration is named (`HEAD:tropo.toml`), not as the path read.
            guard case .unreadable(_, let cause) = error else { throw error }
            throw .unreadable(file: file, cause: cause)
        }
        return try TOMLFile.parse(bytes, file: file)
    }

    private static func packNames(_ value: Value?, file: String) throws(ExoError) -> [String] {
        let items: [Value]
        switch value {
        case nil: return []
        case .list(let l): items = l
        case .string(let s): items = s.unicodeScalars.map { .string(String($0)) }
        default: throw .config(file: file, cause: "packs must be a list of pack names")
        }
        var names: [String] = []
        for item in items {
            guard let s = item.string else {
                throw .config(file: file, cause: "packs must be a list of pack names, got \(item.pythonRepr)")
            }
            names.append(s)
        }
        return names
    }

    /// Where a pack's own file would be: `<root>/.tropo/packs/NAME.toml`, normalized (NAME
    /// may climb out of the root); nil when it climbs above the snapshot's top.
    static func packPath(_ name: String, root: String) -> String? {
        let joined = SnapPath.join(root, ".tropo/packs/" + name + ".toml")
        return SnapPath.normalize(joined.split(separator: "/", omittingEmptySubsequences: false))
    }

    /// A pack: `<root>/.tropo/packs/NAME.toml`, else a bundled pack, else an error.
    private static func readPack(
        _ name: String, root: String, snapshot: Snapshot,
        namedIn config: String
    ) throws(ExoError) -> (String, OrderedMap) {
        if let local = packPath(name, root: root), snapshot.isFile(local) {
            return (snapshot.describe(local), try readTOML(snapshot, local))
        }
        if let text = BundledPacks.texts[name] {
            return ("bundled pack \(PythonString.repr(name))", try TOMLFile.parse(text: text, file: "bundled pack \(name)"))
        }
        let bundled = BundledPacks.texts.keys.sorted().joined(separator: ", ")
        throw .config(
            file: snapshot.describe(config),
            cause:
                "pack \(PythonString.repr(name)) not found (looked for .tropo/packs/\(name).toml and the bundled packs \(bundled)); fix the name in packs = [...] or add the file"
        )
    }

    /// The configuration in force in `directory` (a snapshot path at or below the root):
    /// the root's, with every `tropo.toml` strictly below the root down to `directory`
    /// merged on top, outermost first. The folders up to the nearest one already known are
    /// made top down in a loop (a path may be thousands of folders deep).
    package func config(for directory: String) throws(ExoError) -> EffectiveConfig {
        if let cached = configCache[directory] { return cached }
        var missing: [(dir: String, rel: String)] = []
        var dir = directory
        while configCache[dir] == nil, let rel = SnapPath.relative(dir, to: root), !rel.isEmpty {
            missing.append((dir, rel))
            dir = SnapPath.parent(dir)
        }
        var config = configCache[dir] ?? base
        for (folder, rel) in missing.reversed() {
            config = try self.config(of: folder, rel: rel, under: config)
            configCache[folder] = config
        }
        return config
    }

    /// The configuration in force in one folder below the root, given its parent's.
    func config(of directory: String, rel: String, under parentConfig: EffectiveConfig) throws(ExoError)
        -> EffectiveConfig
    {
        let nestedThin = SnapPath.join(directory, ThinWorkspace.configPath)
        if snapshot.isFile(nestedThin) {
            throw .nestedRoot(snapshot.describe(directory))
        }
        let overlayPath = SnapPath.join(directory, Self.legacyConfig)
        guard snapshot.isFile(overlayPath) else { return parentConfig }
        let raw = rebase(try Self.readTOML(snapshot, overlayPath), overlayRelative: rel)
        var composition = parentConfig.composition.extended()
        do {
            try composition.merge(raw)
            return try EffectiveConfig(composition, parent: parentConfig)
        } catch {
            throw .config(file: snapshot.describe(overlayPath), cause: error.cause)
        }
    }

    /// An overlay's exclude patterns that contain `/` are made relative to the root.
    private func rebase(_ raw: OrderedMap, overlayRelative rel: String) -> OrderedMap {
        guard case .list(let patterns)? = raw["exclude"] else { return raw }
        var rebased: [Value] = []
        for pattern in patterns {
            guard let s = pattern.string else {
                rebased.append(pattern)
                continue
            }
            var normalized = PythonText.strip(s.replacing("\\", with: "/"))
            if normalized.isEmpty || normalized.utf8.first == UInt8(ascii: "/") || !normalized.utf8.contains(UInt8(ascii: "/")) {
                rebased.append(pattern)
                continue
            }
            if normalized.utf8.starts(with: "./".utf8) { normalized = String(normalized.utf8.dropFirst(2))! }
            rebased.append(.string(rel + "/" + normalized))
        }
        var out = raw
        if !rebased.isEmpty { out.set("exclude", .list(rebased)) }
        return out
    }
}
