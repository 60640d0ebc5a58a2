/// A configuration composed from packs, the root config and overlays, tighten-only:
/// a field may move optional -> required and an enum may narrow; any other change of an
/// existing field's spec is an error. `derive` and `exclude` are unions in order.
public struct Composition: Sendable {
    var derive: [Value] = []
    var baseRequired = OrderedMap()
    var baseOptional = OrderedMap()
    var allowUntyped: Value?
    var strict: Value?
    var exclude: [Value] = []
    /// What `derive` and `exclude` hold, for their unions (`union`): kept with them, so that
    /// merging an overlay costs the overlay, not the lists again.
    private var deriveKeys = Set<UnionKey>()
    private var excludeKeys = Set<UnionKey>()
    var typeNames: [String] = []
    var types: [Exact: TypeSpec] = [:]

    struct TypeSpec: Sendable {
        var folders: [Value] = []
        var required = OrderedMap()
        var optional = OrderedMap()
    }

    /// The empty composition, before any pack or config is merged.
    public init() {}

    /// Merges one parsed config (a pack, the root config, an overlay) onto this one.
    /// Throws the cause, without the file; the caller names the file.
    package mutating func merge(_ add: OrderedMap) throws(MergeError) {
        let aBase = try table(add["base"], "base") ?? OrderedMap()
        Self.union(&derive, &deriveKeys, try iterate(aBase["derive"], "base.derive"))
        try Self.mergeFields(
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
        Self.union(&exclude, &excludeKeys, try iterate(add["exclude"], "exclude"))
        guard let addTypes = try table(add["types"], "types") else { return }
        for (name, raw) in addTypes.entries {
            guard case .map(let rawType) = raw else { throw MergeError("types.\(name) must be a table") }
            let folderValue = rawType["folder"] ?? .string(name)
            let folders: [Value]
            if case .list(let list) = folderValue { folders = list } else { folders = [folderValue] }
            if types[Exact(name)] == nil { typeNames.append(name) }
            var spec = types[Exact(name)] ?? TypeSpec()
            var folderKeys = Set(spec.folders.map(UnionKey.init))
            Self.union(&spec.folders, &folderKeys, folders)
            try Self.mergeFields(
                required: try fields(rawType["required"], "types.\(name).required"),
                optional: try fields(rawType["optional"], "types.\(name).optional"),
                into: &spec.required, &spec.optional,
                label: "type \(PythonString.repr(name)) field")
            types[Exact(name)] = spec
        }
    }

    /// Appends each of `new` that `list` (whose keys are `seen`) does not hold yet (Python's
    /// `in`, as tropo's union reads it: strings by their code points, numbers by value).
    /// Entries are looked up by a key, so n entries cost n, not n squared (a pushed config
    /// may hold 100,000).
    private static func union(_ list: inout [Value], _ seen: inout Set<UnionKey>, _ new: [Value]) {
        for v in new where seen.insert(UnionKey(v)).inserted { list.append(v) }
    }

    /// What `Value.pythonEqual` compares of a value.
    private enum UnionKey: Hashable {
        case string(Exact)
        case number(Double)
        case other(String)

        init(_ v: Value) {
            switch v {
            case .string(let s): self = .string(Exact(s))
            case .bool(let b): self = .number(b ? 1 : 0)
            case .int(let digits): self = .number(Double(digits) ?? .nan)
            case .float(let d): self = .number(d)
            case .null, .list, .map: self = .other(v.pythonRepr)
            }
        }
    }

    private static func mergeFields(
        required: OrderedMap, optional: OrderedMap,
        into req: inout OrderedMap, _ opt: inout OrderedMap,
        label: String
    ) throws(MergeError) {
        for (f, spec) in required.entries {
            opt.remove(f)  // optional -> required is tighter
            if let old = req[f], !tightens(old, spec) {
                throw MergeError("\(label) \(PythonString.repr(f)): \(spec.pythonRepr) loosens \(old.pythonRepr)")
            }
            req.set(f, spec)
        }
        for (f, spec) in optional.entries {
            if req.contains(f) { throw MergeError("\(label) \(PythonString.repr(f)): required->optional is a loosening") }
            if let old = opt[f], !tightens(old, spec) {
                throw MergeError("\(label) \(PythonString.repr(f)): \(spec.pythonRepr) loosens \(old.pythonRepr)")
            }
            opt.set(f, spec)
        }
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
    package var fingerprint: String {
        var parts: [Value] = [
            .list(derive), .map(baseRequired), .map(baseOptional), allowUntyped ?? .null,
            strict ?? .null, .list(exclude),
        ]
        for name in typeNames {
            guard let spec = types[Exact(name)] else { continue }
            parts.append(.list([.string(name), .list(spec.folders), .map(spec.required), .map(spec.optional)]))
        }
        return Value.list(parts).pythonRepr
    }
}
