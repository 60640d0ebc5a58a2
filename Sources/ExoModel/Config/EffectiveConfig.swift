import HashTreeCollections

/// The configuration in force in one folder: what is excluded, which folder makes which
/// type, and which fields are references.
///
/// An overlay's configuration is made from its parent's (`init(_:parent:)`) at the cost of
/// what the overlay changed: its exclude rules, folders, derive entries and field specs are
/// its parent's persistent hash trees with the overlay's entries added, and where the
/// overlay changed no spec, the parent's are shared outright. However deep overlays nest and
/// however much each adds, a configuration costs its own overlay.
public final class EffectiveConfig {
    /// Always excluded, before the config's own entries.
    public static let defaultExclude = [".git", ".tropo", ".claude", "node_modules", ".obsidian"]
    /// The specs of derived fields when named in `derive`.
    static let derivedSpecs: [String: String] = [
        "id": "slug", "slug": "slug", "title": "string",
        "created": "date", "updated": "date",
    ]

    /// The types, fields and rules composed from packs, the root config and overlays.
    public let composition: Composition
    package let excludeRules: ExcludeRules
    /// The rules of the entries this configuration's overlay added to its parent's (none at
    /// the root): what can exclude the overlay's own folder that did not before.
    package let addedRules: ExcludeRules
    let folderMap: TreeDictionary<Exact, String>
    let derive: TreeSet<Exact>
    /// The configuration this one's overlay was merged onto, when the overlay changed a
    /// spec: each type's specs are its parent's with the fields the overlay named made again.
    let parent: EffectiveConfig?
    /// The configuration whose specs and folders these are, when the overlay changed none
    /// (its field specs are asked of it, and cached there once).
    let specsOf: EffectiveConfig?
    var knownCache: [String?: TreeDictionary<Exact, Value>] = [:]
    var referenceCache: [String?: TreeSet<Exact>] = [:]

    /// The configuration of `composition`; with `parent`, the configuration whose
    /// composition it was extended from (`Composition.extended()`) and merged onto: an
    /// overlay's folder's parent's.
    package init(_ composition: Composition, parent: EffectiveConfig? = nil) throws(Composition.MergeError) {
        self.composition = composition
        var added: [String] = []
        for e in composition.exclude.suffix(from: parent?.composition.exclude.count ?? 0) {
            guard let s = e.string else { throw Composition.MergeError("exclude entries must be strings, got \(e.pythonRepr)") }
            if !Self.defaultExclude.contains(where: { Exact($0) == Exact(s) }) { added.append(s) }
        }
        let addedRules = ExcludeRules(parent == nil ? [] : added)
        self.excludeRules = parent.map { $0.excludeRules.adding(addedRules) } ?? ExcludeRules(Self.defaultExclude + added)
        self.addedRules = addedRules
        guard let parent else {
            self.parent = nil
            specsOf = nil
            folderMap = try Self.folderMap(composition)
            derive = TreeSet(composition.derive.all.compactMap { $0.string.map { Exact($0) } })
            return
        }
        let changes = composition.changes
        if changes.isEmpty {
            Probe.specsFromParent.hit()
            self.parent = nil
            specsOf = parent.specsOf ?? parent
            folderMap = parent.folderMap
            derive = parent.derive
            return
        }
        self.parent = parent
        specsOf = nil
        // The folders added, on the parent's; a folder another type claims: the whole map
        // made again, which meets the clash in the order tropo does and names it.
        var map = parent.folderMap
        for (type, folder) in changes.folders {
            guard let f = folder.string else { continue }
            if let other = map[Exact(f)], Exact(other) != Exact(type) {
                map = try Self.folderMap(composition)
                break
            }
            map[Exact(f)] = type
        }
        folderMap = map
        var derive = parent.derive
        for key in changes.derived { derive.insert(key) }
        self.derive = derive
    }

    /// Which type each folder name claims, through every type in order; a folder two types
    /// claim is an error.
    private static func folderMap(_ composition: Composition) throws(Composition.MergeError) -> TreeDictionary<Exact, String> {
        var map = TreeDictionary<Exact, String>()
        for name in composition.typeNames.all.compactMap(\.string) {
            for folder in composition.types[Exact(name)]!.folders.all {
                guard let f = folder.string else { continue }
                if let other = map[Exact(f)], Exact(other) != Exact(name) {
                    throw Composition.MergeError(
                        "folder \(PythonString.repr(f)) maps to both \(PythonString.repr(other)) and \(PythonString.repr(name))")
                }
                map[Exact(f)] = name
            }
        }
        return map
    }

    /// The type a folder name claims.
    package func type(forFolder name: String) -> String? { folderMap[Exact(name)] }

    /// Whether every folder name claims the same type here as in `other`.
    package func claimsSameFolders(as other: EffectiveConfig) -> Bool {
        (specsOf ?? self) === (other.specsOf ?? other) || folderMap == other.folderMap
    }
}
