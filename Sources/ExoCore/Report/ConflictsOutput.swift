import ExoEngine
import ExoGraph
import ExoRules

/// exo's `conflicts`, text and JSON, word for word, written out as the pairs are read.
extension ExoOutput {
    /// Writes the output to `write` in pieces of about 64 KiB while the pairs are read one at
    /// a time (`Coordination.pairs`), so that it holds the documents and their targets, not
    /// the pairs: 5,000 active changes on one module make 12.5 million lines. The text's
    /// header counts the pairs first, in a pass of its own.
    public static func writeConflicts(_ view: Coordination, json: Bool, to write: ([UInt8]) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        func flushIfFull() {
            if out.count >= 1 << 16 {
                write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        let active = view.active
        if json {
            out += "{\n  \"active\": ".utf8
            strings(active, level: 1, into: &out)
            out += ",\n  \"conflicts\": ".utf8
            var first = true
            for c in view.pairs {
                out += (first ? "[\n    {\n      \"a\": " : ",\n    {\n      \"a\": ").utf8
                first = false
                JSON.quote(c.a, into: &out)
                out += ",\n      \"b\": ".utf8
                JSON.quote(c.b, into: &out)
                out += ",\n      \"shared\": ".utf8
                strings(c.shared, level: 3, into: &out)
                out += "\n    }".utf8
                flushIfFull()
            }
            out += (first ? "[]" : "\n  ]").utf8
            out += "\n}\n".utf8
        } else {
            var count = 0
            for _ in view.pairs { count += 1 }
            if count == 0 {
                out += "exo: no conflicts among \(active.count) active work item(s)\n".utf8
            } else {
                out += "exo: \(count) conflict(s) among \(active.count) active work item(s):\n".utf8
                for c in view.pairs {
                    out += "  ".utf8
                    JSON.append(c.a, to: &out)
                    out += " <-> ".utf8
                    JSON.append(c.b, to: &out)
                    out += "  share: ".utf8
                    for (i, target) in c.shared.enumerated() {
                        if i > 0 { out += ", ".utf8 }
                        JSON.append(target, to: &out)
                    }
                    out.append(0x0A)
                    flushIfFull()
                }
            }
        }
        write(out)
    }

    /// The same output as one string.
    public static func conflicts(_ view: Coordination, json: Bool) -> String {
        var all: [UInt8] = []
        writeConflicts(view, json: json) { all += $0 }
        return String(decoding: all, as: UTF8.self)
    }

    /// A list of strings as `JSON.rendered` indents it at `level`.
    private static func strings(_ items: [String], level: Int, into out: inout [UInt8]) {
        if items.isEmpty {
            out += "[]".utf8
            return
        }
        out.append(UInt8(ascii: "["))
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSON.newline(&out, 2 * (level + 1))
            JSON.quote(item, into: &out)
        }
        JSON.newline(&out, 2 * level)
        out.append(UInt8(ascii: "]"))
    }
}
