import HashTreeCollections

/// A configuration composed from packs, the root config and overlays, tighten-only:
/// a field may move optional -> required and an enum may narrow; any other change of an
/// existing field's spec is an error. `derive` and `exclude` are unions in order.
///
/// A nested overlay's composition is its parent's with the overlay merged on, and a pusher
/// controls how deep overlays nest and how much each adds: so the lists share their
/// parent's entries (`UnionList`), the field specs and types are persistent hash trees
/// (swift-collections' `TreeDictionary`), and `changes` says what the merges since
/// `extended()` named. An overlay costs what it adds.
public struct Composition: Sendable {
    var derive = UnionList()
    var baseRequired = TreeDictionary<Exact, Value>()
    var baseOptional = TreeDictionary<Exact, Value>()
    var allowUntyped: Value?
    var strict: Value?
    var exclude = UnionList()
    /// The types' names, in the order first merged.
    var typeNames = UnionList()
    var types = TreeDictionary<Exact, TypeSpec>()
    /// What the merges since `extended()` named (since the start, for the root's).
    private(set) var changes = Changes()

    struct TypeSpec: Sendable {
        var folders = UnionList()
        var required = TreeDictionary<Exact, Value>()
        var optional = TreeDictionary<Exact, Value>()
    }

    /// The fields, derive entries, types and folders merges named: what a configuration
    /// extended from another makes again of that one's (`EffectiveConfig`).
    struct Changes: Sendable {
        /// Base fields named, and derive entries added.
        var baseFields: [Exact] = []
        /// Derive entries added.
        var derived: [Exact] = []
        /// Each type named, with the fields named in it.
        var typeFields: [Exact: [Exact]] = [:]
        /// Folders added to a type, in the order added.
        var folders: [(type: String, folder: Value)] = []

        /// Whether no field spec, derive entry, type or folder changed.
        var isEmpty: Bool { baseFields.isEmpty && typeFields.isEmpty && folders.isEmpty }
    }

    /// The empty composition, before any pack or config is merged.
    public init() {}

    /// The types' names, in the order first merged.
    package var typeNameList: [String] { typeNames.all.compactMap(\.string) }

    /// The `exclude` entries that are strings, in order.
    package var excludeStrings: [String] { exclude.all.compactMap(\.string) }

    /// This composition, to merge an overlay onto: its lists share these entries, so that
    /// the overlay costs what it adds, and `changes` starts empty.
    package func extended() -> Composition {
        var out = self
        out.derive = derive.extended()
        out.exclude = exclude.extended()
        out.typeNames = typeNames.extended()
        out.changes = Changes()
        return out
    }

    /// Merges one parsed config (a pack, the root config, an overlay) onto this one.
    /// Throws the cause, without the file; the caller names the file.
    package mutating func merge(_ add: OrderedMap) throws(MergeError) {
        let aBase = try table(add["base"], "base") ?? OrderedMap()
        for d in derive.union(try iterate(aBase["derive"], "base.derive")) {
            guard let s = d.string else { continue }
            changes.derived.append(Exact(s))
            changes.baseFields.append(Exact(s))
        }
        changes.baseFields += try Self.mergeFields(
            required: try fields(aBase["required"], "base.required"),
            optional: try fields(aBase["optional"], "base.optional"),
            into: &baseRequired, &baseOptional, label: "base field")
        if let v = aBase["allow_untyped"] {
            if allowUntyped == .bool(false) && v == .bool(true) {
                throw MergeError("base.allow_untyped: true loosens an inherited false")
            }
            allowUntyped = v
        }
        if let v = aBase["strict"] {
            if strict == .bool(true) && v == .bool(false) {
                throw MergeError("base.strict: false loosens an inherited true")
            }
            strict = v
        }
        exclude.union(try iterate(add["exclude"], "exclude"))
        guard let addTypes = try table(add["types"], "types") else { return }
        for (name, raw) in addTypes.entries {
            guard case .map(let rawType) = raw else { throw MergeError("types.\(name) must be a table") }
            let folderValue = rawType["folder"] ?? .string(name)
            let folders: [Value]
            if case .list(let list) = folderValue { folders = list } else { folders = [folderValue] }
            typeNames.union([.string(name)])
            var spec = types[Exact(name)] ?? TypeSpec()
            for folder in spec.folders.union(folders) { changes.folders.append((name, folder)) }
            let named = try Self.mergeFields(
                required: try fields(rawType["required"], "types.\(name).required"),
                optional: try fields(rawType["optional"], "types.\(name).optional"),
                into: &spec.required, &spec.optional,
                label: "type \(PythonString.repr(name)) field")
            changes.typeFields[Exact(name), default: []] += named
            types[Exact(name)] = spec
        }
    }

    /// Merges field specs; returns the fields named.
    private static func mergeFields(
        required: OrderedMap, optional: OrderedMap,
        into req: inout TreeDictionary<Exact, Value>, _ opt: inout TreeDictionary<Exact, Value>,
        label: String
    ) throws(MergeError) -> [Exact] {
        var named: [Exact] = []
        for (f, spec) in required.entries {
            let key = Exact(f)
            opt[key] = nil  // optional -> required is tighter
            if let old = req[key], !tightens(old, spec) {
                throw MergeError("\(label) \(PythonString.repr(f)): \(spec.pythonRepr) loosens \(old.pythonRepr)")
            }
            req[key] = spec
            named.append(key)
        }
        for (f, spec) in optional.entries {
            let key = Exact(f)
            if req[key] != nil { throw MergeError("\(label) \(PythonString.repr(f)): required->optional is a loosening") }
            if let old = opt[key], !tightens(old, spec) {
                throw MergeError("\(label) \(PythonString.repr(f)): \(spec.pythonRepr) loosens \(old.pythonRepr)")
            }
            opt[key] = spec
            named.append(key)
        }
        return named
    }

    /// `new` is at least as strict as `old`: equal, or an enum narrowed to a subset.
    static func tightens(_ old: Value, _ new: Value) -> Bool {
        if Value.pythonEqual(old, new) { return true }
        guard let a = enumSet(old), let b = enumSet(new) else { return false }
        return b.isSubset(of: a)
    }

    static func enumSet(_ spec: Value) -> Set<Exact>? {
        guard let s = spec.string, s.utf8.starts(with: "enum:".utf8) else { return nil }
        return Set(s.dropFirst(5).split(separator: "|", omittingEmptySubsequences: false).map { Exact(String($0)) })
    }

    /// A configuration that breaks a composition rule. Composition is pure and does not
    /// know which file it is reading; the one caller that does (`Workspace`) turns this into
    /// `ExoError.config(file:cause:)`, so it never leaves a run.
    public struct MergeError: Error, Sendable {
        /// The rule broken, in exo's words.
        public let cause: String
        init(_ cause: String) { self.cause = cause }
    }

    // Python's loose iteration over config values: a list's items, a table's keys,
    // a string's characters; anything else is an error where tropo would crash.
    private func iterate(_ v: Value?, _ what: String) throws(MergeError) -> [Value] {
        switch v {
        case nil: return []
        case .list(let l): return l
        case .map(let m): return m.keys.map { .string($0) }
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        default: throw MergeError("\(what) must be a list")
        }
    }

    private func table(_ v: Value?, _ what: String) throws(MergeError) -> OrderedMap? {
        switch v {
        case nil: return nil
        case .map(let m): return m
        default: throw MergeError("\(what) must be a table")
        }
    }

    /// `(value or {})`: a table of field specs; a false-like value counts as none.
    private func fields(_ v: Value?, _ what: String) throws(MergeError) -> OrderedMap {
        guard let v, v.isTruthy else { return OrderedMap() }
        guard case .map(let m) = v else { throw MergeError("\(what) must be a table of field specs") }
        return m
    }
}

extension Composition {
    /// Text that differs whenever two compositions could give a document a different
    /// type, id, edge or exclusion: keys cached results computed under this configuration.
    /// Field specs are listed by name (a hash tree keeps no order).
    package var fingerprint: String {
        var parts: [Value] = [
            .list(derive.all), .map(Self.sorted(baseRequired)), .map(Self.sorted(baseOptional)),
            allowUntyped ?? .null, strict ?? .null, .list(exclude.all),
        ]
        for name in typeNames.all.compactMap(\.string) {
            guard let spec = types[Exact(name)] else { continue }
            parts.append(
                .list([
                    .string(name), .list(spec.folders.all), .map(Self.sorted(spec.required)), .map(Self.sorted(spec.optional)),
                ]))
        }
        return Value.list(parts).pythonRepr
    }

    private static func sorted(_ fields: TreeDictionary<Exact, Value>) -> OrderedMap {
        var out = OrderedMap()
        for key in fields.keys.sorted() { out.set(key.string, fields[key]!) }
        return out
    }
}
