/// The configuration in force in one folder: what is excluded, which folder makes which
/// type, and which fields are references.
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
    /// The `exclude` patterns in force.
    public let exclude: [String]
    package let excludeRules: ExcludeRules
    let folderMap: [Exact: String]
    let derive: Set<Exact>
    private var knownCache: [String?: [Exact: Value]] = [:]
    private var referenceCache: [String?: Set<Exact>] = [:]

    /// The configuration of `composition`; with `parent`, the configuration whose
    /// composition it was merged onto (an overlay's folder's parent's), whose exclude rules
    /// are extended rather than made again (a union keeps its first entries in order).
    package init(_ composition: Composition, parent: EffectiveConfig? = nil) throws(Composition.MergeError) {
        self.composition = composition
        let inherited = parent.map { $0.composition.exclude.count } ?? 0
        var exclude = parent?.exclude ?? Self.defaultExclude
        var added: [String] = []
        for e in composition.exclude.dropFirst(inherited) {
            guard let s = e.string else { throw Composition.MergeError("exclude entries must be strings, got \(e.pythonRepr)") }
            if !Self.defaultExclude.contains(where: { Exact($0) == Exact(s) }) { added.append(s) }
        }
        exclude += added
        self.exclude = exclude
        self.excludeRules = parent.map { $0.excludeRules.adding(added) } ?? ExcludeRules(exclude)
        var map: [Exact: String] = [:]
        for name in composition.typeNames {
            for folder in composition.types[Exact(name)]!.folders {
                guard let f = folder.string else { continue }
                if let other = map[Exact(f)], Exact(other) != Exact(name) {
                    throw Composition.MergeError(
                        "folder \(PythonString.repr(f)) maps to both \(PythonString.repr(other)) and \(PythonString.repr(name))")
                }
                map[Exact(f)] = name
            }
        }
        folderMap = map
        derive = Set(composition.derive.compactMap { $0.string.map { Exact($0) } })
    }

    /// The type a folder name claims.
    package func type(forFolder name: String) -> String? { folderMap[Exact(name)] }

    /// Whether every folder name claims the same type here as in `other`.
    package func claimsSameFolders(as other: EffectiveConfig) -> Bool { folderMap == other.folderMap }

    /// Every field's effective spec for a type: base optional, base required, derived,
    /// then the type's required and optional, later ones winning.
    package func knownSpecs(type: String?) -> [Exact: Value] {
        if let cached = knownCache[type] { return cached }
        var known: [Exact: Value] = [:]
        for (k, v) in composition.baseOptional.entries { known[Exact(k)] = v }
        for (k, v) in composition.baseRequired.entries { known[Exact(k)] = v }
        for d in composition.derive {
            guard let name = d.string else { continue }
            known[Exact(name)] = .string(Self.derivedSpecs[name] ?? "any")
        }
        if let type, let spec = composition.types[Exact(type)] {
            for (k, v) in spec.required.entries { known[Exact(k)] = v }
            for (k, v) in spec.optional.entries { known[Exact(k)] = v }
        }
        knownCache[type] = known
        return known
    }

    /// The fields of a type whose spec is `ref` or `ref-list` and that are not derived.
    package func referenceFields(type: String?) -> Set<Exact> {
        if let cached = referenceCache[type] { return cached }
        var out = Set<Exact>()
        for (key, spec) in knownSpecs(type: type) where !derive.contains(key) {
            if let s = spec.string, s == "ref" || s == "ref-list" { out.insert(key) }
        }
        referenceCache[type] = out
        return out
    }

    /// The reference targets of a document's fields: for each field that is not derived and
    /// whose spec is `ref` or `ref-list` (`references`, its type's `referenceFields`), every
    /// string in its value. Fields that are not declared, or declared otherwise
    /// (`string-list`), make no edges. A type has few reference fields: each field name is
    /// compared with them rather than hashed (this runs for every document).
    package static func referenceTargets(fields: OrderedMap, references: [Exact]) -> [String] {
        var targets: [String] = []
        if references.isEmpty { return targets }
        for key in fields.keys where references.contains(Exact(key)) {
            switch fields[key] {
            case .string(let s)?: targets.append(s)
            case .list(let items)?: targets.append(contentsOf: items.compactMap(\.string))
            default: continue
            }
        }
        return targets
    }
}
