/// Exclude patterns, normalized once: `\\` as `/`, trailing `/` and `/**` removed. A
/// pattern without `/` excludes every path with a component equal to it; any pattern
/// excludes the path equal to it and every path below. The patterns are kept in sets, so a
/// path costs its own length whatever the number of patterns (a pushed configuration may
/// hold 100,000).
package struct ExcludeRules: Sendable {
    /// Patterns without `/`, matched against each component.
    private var components = Set<Bytes>()
    /// Patterns with `/`, matched against each prefix of a path that ends a component.
    private var prefixes = Set<Bytes>()
    /// The lengths of `prefixes`: a path's prefix of another length is not looked up.
    private var prefixLengths = Set<Int>()

    package init(_ raw: [String]) {
        add(raw)
    }

    /// These rules and `raw`'s (an overlay's on the rules above it): the sets are copied,
    /// not made again from every pattern.
    package func adding(_ raw: [String]) -> ExcludeRules {
        var out = self
        out.add(raw)
        return out
    }

    private mutating func add(_ raw: [String]) {
        for p in raw {
            var pat = Array(p.utf8).map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }
            while pat.last == UInt8(ascii: "/") { pat.removeLast() }
            if pat.reversed().starts(with: "**/".utf8) { pat.removeLast(3) }
            if pat.contains(UInt8(ascii: "/")) {
                prefixes.insert(Bytes(pat))
                prefixLengths.insert(pat.count)
            } else {
                components.insert(Bytes(pat))
            }
        }
    }

    /// Bytes hashed as one buffer (an array of bytes hashes them one call each).
    private struct Bytes: Hashable, Sendable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        init(_ slice: Slice<UnsafeBufferPointer<UInt8>>) { bytes = Array(slice) }
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    package func matches(_ rel: String) -> Bool {
        var rel = rel
        return rel.withUTF8 { raw -> Bool in
            if raw.contains(UInt8(ascii: "\\")) {
                let path = raw.map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }
                return path.withUnsafeBufferPointer { matches(bytes: $0) }
            }
            return matches(bytes: raw)
        }
    }

    /// Whether the rules exclude `rel`, the entry `name` of a folder they do not exclude
    /// (rules match a path or a prefix of it that ends a component, or a component): only
    /// a rule the whole of `rel` equals, or a component rule `name` equals, can. The cost
    /// follows the name, not the depth. A name holding `\\` (which the rules read as `/`)
    /// is matched whole.
    package func matches(_ rel: String, entry name: String) -> Bool {
        var name = name
        return name.withUTF8 { n -> Bool in
            if n.count == rel.utf8.count || n.contains(UInt8(ascii: "\\")) { return matches(rel) }
            if components.contains(Bytes(Array(n))) { return true }
            // As long as a rule with `/`: compared whole, `\\` read as `/`.
            return prefixLengths.contains(rel.utf8.count) && matches(rel)
        }
    }

    private func matches(bytes path: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        for i in 0...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
            if !components.isEmpty && components.contains(Bytes(path[start..<i])) { return true }
            if prefixLengths.contains(i) && prefixes.contains(Bytes(path[0..<i])) { return true }
            start = i + 1
        }
        return false
    }
}
