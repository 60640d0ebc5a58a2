/// Exclude patterns, normalized once: `\\` as `/`, trailing `/` and `/**` removed.
package struct ExcludeRules: Sendable {
    private let patterns: [(bytes: [UInt8], component: Bool)]

    package init(_ raw: [String]) {
        patterns = raw.map { p in
            var pat = Array(p.utf8).map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }
            while pat.last == UInt8(ascii: "/") { pat.removeLast() }
            if pat.reversed().starts(with: "**/".utf8) { pat.removeLast(3) }
            return (pat, !pat.contains(UInt8(ascii: "/")))
        }
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
    /// follows the rules and the name, not the depth. A name holding `\\` (which the rules
    /// read as `/`) is matched whole.
    package func matches(_ rel: String, entry name: String) -> Bool {
        var name = name
        return name.withUTF8 { n -> Bool in
            if n.count == rel.utf8.count || n.contains(UInt8(ascii: "\\")) { return matches(rel) }
            for (pat, component) in patterns {
                if component {
                    if n.elementsEqual(pat) { return true }
                } else if pat.count == rel.utf8.count {
                    return matches(rel)  // as long as the path: compared whole, `\\` read as `/`
                }
            }
            return false
        }
    }

    private func matches(bytes path: UnsafeBufferPointer<UInt8>) -> Bool {
        for (pat, component) in patterns {
            if path.count == pat.count
                ? path.elementsEqual(pat)
                : (path.count > pat.count && path[pat.count] == UInt8(ascii: "/") && path.starts(with: pat))
            {
                return true
            }
            if component {
                var start = 0
                for i in 0...path.count where i == path.count || path[i] == UInt8(ascii: "/") {
                    if i - start == pat.count && path[start..<i].elementsEqual(pat) { return true }
                    start = i + 1
                }
            }
        }
        return false
    }
}
