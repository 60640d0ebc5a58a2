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
