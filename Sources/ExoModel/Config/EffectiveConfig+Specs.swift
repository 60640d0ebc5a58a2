import HashTreeCollections

extension EffectiveConfig {
    /// Every field's effective spec for a type: base optional, base required, derived,
    /// then the type's required and optional, later ones winning. An overlay's are its
    /// parent's with the fields it named made again; the configurations up to the nearest
    /// whose specs are known are made top down, in a loop (overlays may nest thousands deep).
    package func knownSpecs(type: String?) -> TreeDictionary<Exact, Value> {
        if let specsOf { return specsOf.knownSpecs(type: type) }
        for config in chain(known: { $0.knownCache[type] != nil }) {
            var known: TreeDictionary<Exact, Value>
            if let above = config.parent.map({ $0.specsOf ?? $0 }), let inherited = above.knownCache[type] {
                known = inherited
                for key in config.named(type) { known[key] = config.spec(of: key, type: type) }
            } else {
                known = config.allSpecs(type: type)
            }
            config.knownCache[type] = known
        }
        return knownCache[type]!
    }

    /// The values a type declares for a field (`enum:a|b|c`); nil when its spec is no enum.
    package func declaredValues(of field: String, type: String?) -> Set<Exact>? {
        knownSpecs(type: type)[Exact(field)].flatMap(Composition.enumSet)
    }

    /// The fields of a type whose spec is `ref` or `ref-list` and that are not derived.
    package func referenceFields(type: String?) -> TreeSet<Exact> {
        if let specsOf { return specsOf.referenceFields(type: type) }
        for config in chain(known: { $0.referenceCache[type] != nil }) {
            let known = config.knownSpecs(type: type)
            var out: TreeSet<Exact>
            if let above = config.parent.map({ $0.specsOf ?? $0 }), let inherited = above.referenceCache[type] {
                out = inherited
                for key in config.named(type) {
                    if Self.isReference(known[key]) && !config.derive.contains(key) {
                        out.insert(key)
                    } else {
                        out.remove(key)
                    }
                }
            } else {
                out = TreeSet(known.lazy.filter { Self.isReference($0.value) && !config.derive.contains($0.key) }.map(\.key))
            }
            config.referenceCache[type] = out
        }
        return referenceCache[type]!
    }

    /// The reference targets of a document's fields: for each field that is not derived and
    /// whose spec is `ref` or `ref-list` (`references`, its type's `referenceFields`), every
    /// string in its value. Fields that are not declared, or declared otherwise
    /// (`string-list`), make no edges. A type has few reference fields: each field name is
    /// compared with them rather than hashed (this runs for every document), unless an
    /// overlay declared many.
    package static func referenceTargets(fields: OrderedMap, references: [Exact]) -> [String] {
        var targets: [String] = []
        if references.isEmpty { return targets }
        let many = references.count > 16 ? Set(references) : nil
        fields.forEachEntry { key, value in
            guard many?.contains(Exact(key)) ?? references.contains(Exact(key)) else { return }
            switch value {
            case .string(let s): targets.append(s)
            case .list(let items):
                targets.reserveCapacity(targets.count + items.count)
                for case .string(let s) in items { targets.append(s) }
            default: return
            }
        }
        return targets
    }

    private static func isReference(_ spec: Value?) -> Bool {
        guard let s = spec?.string else { return false }
        return s == "ref" || s == "ref-list"
    }

    /// This configuration and those above it up to (not including) the nearest that is
    /// `known`, or up to the root, outermost first; each one's own (not sharing its specs).
    private func chain(known: (EffectiveConfig) -> Bool) -> [EffectiveConfig] {
        var out: [EffectiveConfig] = []
        var next: EffectiveConfig? = self
        while let config = next, !known(config) {
            out.append(config)
            next = config.parent.map { $0.specsOf ?? $0 }
        }
        return out.reversed()
    }

    /// The fields whose spec for `type` this configuration's overlay can have changed.
    private func named(_ type: String?) -> [Exact] {
        let changes = composition.changes
        guard let type, let fields = changes.typeFields[Exact(type)] else { return changes.baseFields }
        return changes.baseFields + fields
    }

    /// The spec that wins for `key`: the type's optional, its required, derived, base
    /// required, base optional.
    private func spec(of key: Exact, type: String?) -> Value? {
        if let type, let spec = composition.types[Exact(type)] {
            if let v = spec.optional[key] ?? spec.required[key] { return v }
        }
        if derive.contains(key) { return .string(Self.derivedSpecs[key.string] ?? "any") }
        return composition.baseRequired[key] ?? composition.baseOptional[key]
    }

    /// Every field's spec, made from the whole composition.
    private func allSpecs(type: String?) -> TreeDictionary<Exact, Value> {
        var known = TreeDictionary<Exact, Value>()
        for (k, v) in composition.baseOptional { known[k] = v }
        for (k, v) in composition.baseRequired { known[k] = v }
        for d in composition.derive.all {
            guard let name = d.string else { continue }
            known[Exact(name)] = .string(Self.derivedSpecs[name] ?? "any")
        }
        if let type, let spec = composition.types[Exact(type)] {
            for (k, v) in spec.required { known[k] = v }
            for (k, v) in spec.optional { known[k] = v }
        }
        return known
    }
}
