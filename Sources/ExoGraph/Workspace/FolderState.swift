import ExoModel
import ExoSnapshot
import ExoStore

/// What a folder of the walk hands down to its subfolders, each made from its parent's in
/// one step (a pusher controls how deep a tree goes, so nothing here goes back up):
///
/// - the configuration in force there, or the error making it met (an overlay that does
///   not parse, a nested thin root), thrown only when a document there or below needs it,
///   as tropo meets it;
/// - the type of its documents: its own name's, else the folder above's (`type(of:config:)`
///   in one step);
/// - where it lies for the caches (`position`): a digest of the root, its configuration,
///   the folder's path and the overlays and thin configurations above it, chained from the
///   parent's, so that a key costs the same at any depth. Nil where a symlink is on the way
///   or the snapshot makes no digests.
struct FolderState {
    let config: Result<EffectiveConfig, ExoError>
    let type: String?
    let position: CacheKey?
    /// What the folder adds to its subfolders' positions: its overlay's blob and whether it
    /// holds a thin configuration ("" for the root, whose own are its configuration); nil
    /// when a symlink is involved.
    let entry: String?
    /// Whether the folder's own path is excluded by the rules in force in it (an overlay's:
    /// the walk entered it, so the root's do not), and with it every document in it. Made
    /// from the parent's and the folder's name (`excluded(_:name:config:parent:)`), so that
    /// a document is matched by its name only, at any depth.
    var excluded = false
}

extension Workspace {
    /// The root's state (made once: `rootState`).
    func makeRootState() -> FolderState {
        FolderState(
            config: .success(base), type: base.type(forFolder: rootName),
            position: keyed?.digest(["exo-guard folder 2", root, rootName, baseFingerprint].joined(separator: "\u{0}")),
            entry: "")
    }

    /// The position of `parent`'s subfolder `name`.
    func position(of name: String, in parent: FolderState) -> CacheKey? {
        guard let p = parent.position, let entry = parent.entry else { return nil }
        return keyed?.digest([p.hex, entry, name].joined(separator: "\u{0}"))
    }

    /// The state of the folder `dir` below the root (its path from the root `rel`, its name
    /// `name`, its position `position`), from its parent's and its own listing.
    func state(
        of dir: String, rel: String, name: String, listing: [DirectoryEntry], position: CacheKey?,
        parent: FolderState
    ) -> FolderState {
        let entry = position == nil ? nil : contextEntry(of: dir, listing)
        guard case .success(let above) = parent.config else {
            return FolderState(config: parent.config, type: nil, position: position, entry: entry)
        }
        // Without an entry of either name the folder has neither an overlay nor a thin root.
        guard listing.contains(where: { Self.bearsOnConfig($0.name) }) else {
            Probe.folderFromParent.hit()
            return FolderState(
                config: parent.config, type: above.type(forFolder: name) ?? parent.type, position: position, entry: entry,
                excluded: excluded(rel, name: name, config: above, parent: parent))
        }
        let config: EffectiveConfig
        do { config = try self.config(of: dir, rel: rel, under: above) } catch {
            return FolderState(config: .failure(error), type: nil, position: position, entry: entry)
        }
        // An overlay that claims other names: every folder up to the root again, under it.
        let sameClaims = config === above || config.claimsSameFolders(as: above)
        if sameClaims { Probe.folderFromParent.hit() } else { Probe.typeUpToRoot.hit() }
        let type = sameClaims ? config.type(forFolder: name) ?? parent.type : type(of: dir, config: config)
        return FolderState(
            config: .success(config), type: type, position: position, entry: entry,
            excluded: excluded(rel, name: name, config: config, parent: parent))
    }

    /// Whether the folder `rel` (named `name`) is excluded by `config`, its parent's state
    /// `parent`: when its parent is, when its name or whole path matches a rule, or when
    /// the rules its own overlay added match any part of its path (those are the only rules
    /// its parent's path was not matched against).
    private func excluded(_ rel: String, name: String, config: EffectiveConfig, parent: FolderState) -> Bool {
        if parent.excluded { return true }
        if config === base { return false }
        if config.excludeRules.matches(rel, entry: name) { return true }
        guard case .success(let above) = parent.config, config !== above else { return false }
        return config.addedRules.matches(rel)
    }

    /// Whether an entry named `name` can make its folder's configuration differ from its
    /// parent's: an overlay (`tropo.toml`) or a thin configuration (`.vivary`).
    static func bearsOnConfig(_ name: String) -> Bool {
        Exact(name) == Exact(legacyConfig) || Exact(name) == ".vivary"
    }

    /// What a folder between the root and a cached folder contributes to its position: its
    /// overlay's blob and whether it holds a thin config, read from its listing; nil when
    /// a symlink is involved.
    private func contextEntry(of dir: String, _ listing: [DirectoryEntry]) -> String? {
        var overlay: DirectoryEntry? = nil
        var thin: DirectoryEntry? = nil
        for entry in listing {
            if Exact(entry.name) == Exact(Self.legacyConfig) { overlay = entry }
            if Exact(entry.name) == ".vivary" { thin = entry }
        }
        var out = ""
        switch overlay?.kind {
        case nil: out = "-"
        case .file?:
            guard let k = overlay?.key ?? keyed?.contentKey(SnapPath.join(dir, Self.legacyConfig)) else { return nil }
            out = k.hex
        case .directory?: out = "d"
        case .symlink?, .other?: return nil
        }
        switch thin?.kind {
        case nil: out += ",-"
        case .directory?:
            guard let k = thin?.key ?? keyed?.treeKey(SnapPath.join(dir, ".vivary")) else { return nil }
            out += "," + k.hex
        case .file?: out += ",f"
        case .symlink?, .other?: return nil
        }
        return out
    }
}
