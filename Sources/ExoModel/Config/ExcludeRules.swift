import HashTreeCollections

/// Exclude patterns, normalized once: `\\` as `/`, trailing `/` and `/**` removed. A
/// pattern without `/` excludes every path with a component equal to it; any pattern
/// excludes the path equal to it and every path below.
///
/// A pushed configuration may hold 100,000 patterns, and each nested overlay adds its own
/// to those above it, so the rules are kept where neither costs more than it adds:
/// - in persistent hash trees (swift-collections' `TreeSet` and `TreeDictionary`): an
///   overlay's rules share its parent's and cost only the patterns it adds;
/// - patterns with `/` under a keyed hash of their segments (`PrefixHash`), which a path
///   extends a segment at a time, so that all its prefixes are looked up in one pass over
///   it rather than each hashed again from the start.
/// A path costs its own length whatever the number of patterns and overlays.
package struct ExcludeRules: Sendable {
    /// Patterns without `/`, by `PrefixHash` (one segment): matched against each component.
    private var components = TreeDictionary<Int, [Bytes]>()
    /// Patterns with `/`, by their `PrefixHash`: matched against each prefix of a path that
    /// ends a component (the hash looked up, then the bytes compared).
    private var prefixes = TreeDictionary<Int, [Bytes]>()
    /// The lengths of `prefixes`: a path of another length is not hashed whole
    /// (`matches(_:entry:)`).
    private var prefixLengths = TreeSet<Int>()

    package init(_ raw: [String]) {
        add(raw)
    }

    /// These rules and `other`'s (an overlay's on the rules above it): the trees are shared,
    /// not copied, and `other`'s patterns not normalized or hashed again.
    package func adding(_ other: ExcludeRules) -> ExcludeRules {
        var out = self
        for (key, bucket) in other.components { for p in bucket { Self.insert(p, key, into: &out.components) } }
        for (key, bucket) in other.prefixes { for p in bucket { Self.insert(p, key, into: &out.prefixes) } }
        for length in other.prefixLengths { out.prefixLengths.insert(length) }
        return out
    }

    private mutating func add(_ raw: [String]) {
        for p in raw {
            var pat = Array(p.utf8).map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }
            while pat.last == UInt8(ascii: "/") { pat.removeLast() }
            if pat.reversed().starts(with: "**/".utf8) { pat.removeLast(3) }
            let key = pat.withUnsafeBufferPointer { PrefixHash.whole($0) }
            if pat.contains(UInt8(ascii: "/")) {
                Self.insert(Bytes(pat), key, into: &prefixes)
                prefixLengths.insert(pat.count)
            } else {
                Self.insert(Bytes(pat), key, into: &components)
            }
        }
    }

    private static func insert(_ pattern: Bytes, _ key: Int, into table: inout TreeDictionary<Int, [Bytes]>) {
        let bucket = table[key] ?? []
        if !bucket.contains(pattern) { table[key] = bucket + [pattern] }
    }

    /// A normalized pattern's bytes.
    private struct Bytes: Equatable, Sendable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    /// A hash of a path's segments with Swift's `Hasher` (keyed per process: a pusher cannot
    /// choose patterns that collide), fed one segment at a time: a path's prefix and the
    /// pattern equal to it are fed the same segments, so they hash alike.
    private struct PrefixHash {
        private var hasher = Hasher()
        private var segments = 0

        mutating func append(_ segment: Slice<UnsafeBufferPointer<UInt8>>) {
            if segments > 0 { hasher.combine(UInt8(ascii: "/")) }
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: segment)))
            segments += 1
        }

        /// The hash of what was appended so far (the hasher goes on).
        var value: Int { hasher.finalize() }

        /// The hash of the whole of `path`.
        static func whole(_ path: UnsafeBufferPointer<UInt8>) -> Int {
            var hash = PrefixHash()
            var start = 0
            for i in 0...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
                hash.append(path[start..<i])
                start = i + 1
            }
            return hash.value
        }
    }

    package func matches(_ rel: String) -> Bool {
        withNormalized(rel) { matches(bytes: $0) }
    }

    /// Whether the rules exclude `rel`, the entry `name` of a folder they do not exclude
    /// (rules match a path or a prefix of it that ends a component, or a component): only
    /// a rule the whole of `rel` equals, or a component rule `name` equals, can. The cost
    /// follows the name, and the path only when a rule is as long. A name holding `\\`
    /// (which the rules read as `/`) is matched whole.
    package func matches(_ rel: String, entry name: String) -> Bool {
        var name = name
        return name.withUTF8 { n -> Bool in
            if n.count == rel.utf8.count || n.contains(UInt8(ascii: "\\")) { return matches(rel) }
            if !components.isEmpty && Self.holds(components, n[...], hash: PrefixHash.whole(n)) { return true }
            // As long as a rule with `/`: the whole path looked up, `\\` read as `/`.
            guard prefixLengths.contains(rel.utf8.count) else { return false }
            return withNormalized(rel) { isPrefixRule($0, hash: PrefixHash.whole($0)) }
        }
    }

    /// `rel`'s bytes, `\\` read as `/`.
    private func withNormalized(_ rel: String, _ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        var rel = rel
        return rel.withUTF8 { raw -> Bool in
            guard raw.contains(UInt8(ascii: "\\")) else { return body(raw) }
            let path = raw.map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }
            return path.withUnsafeBufferPointer { body($0) }
        }
    }

    /// Whether `table` holds `bytes`, whose `PrefixHash` is `hash`.
    private static func holds(
        _ table: TreeDictionary<Int, [Bytes]>, _ bytes: Slice<UnsafeBufferPointer<UInt8>>, hash: Int
    ) -> Bool {
        guard let bucket = table[hash] else { return false }
        return bucket.contains { $0.bytes.elementsEqual(bytes) }
    }

    private func isPrefixRule(_ path: UnsafeBufferPointer<UInt8>, hash: Int) -> Bool {
        Self.holds(prefixes, path[0..<path.count], hash: hash)
    }

    /// One pass over the path: each component looked up whole, each prefix ending a
    /// component by the hash extended from the one before.
    private func matches(bytes path: UnsafeBufferPointer<UInt8>) -> Bool {
        var hash = PrefixHash()
        var start = 0
        for i in 0...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
            if !components.isEmpty {
                var one = PrefixHash()
                one.append(path[start..<i])
                if Self.holds(components, path[start..<i], hash: one.value) { return true }
            }
            if !prefixes.isEmpty {
                hash.append(path[start..<i])
                if prefixLengths.contains(i) && Self.holds(prefixes, path[0..<i], hash: hash.value) { return true }
            }
            start = i + 1
        }
        return false
    }
}
