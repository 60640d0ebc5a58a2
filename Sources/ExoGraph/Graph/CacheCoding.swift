import ExoModel
import ExoStore

/// The byte forms of cached results: parsed fields, a folder's documents, a list of roots.
/// Little-endian lengths; decoding checks every length against the bytes left and returns
/// nil for anything malformed, so a damaged cache reads as a miss.
package enum CacheCoding {
    // MARK: - Encoding

    package static func encode(_ fields: Frontmatter.Fields) -> [UInt8] {
        var out: [UInt8] = []
        encode(.map(fields.map), into: &out)
        return out
    }

    /// A folder's own documents, then the keys of its subfolders' entries.
    package static func encode(_ subtree: Subtree) -> [UInt8] {
        var out: [UInt8] = []
        u32(UInt32(subtree.files.count), into: &out)
        for doc in subtree.files {
            string(doc.id, into: &out)
            string(doc.path, into: &out)
            optional(doc.status, into: &out)
            optional(doc.assignee, into: &out)
            u32(UInt32(doc.targets.count), into: &out)
            for t in doc.targets { string(t, into: &out) }
        }
        u32(UInt32(subtree.children.count), into: &out)
        for child in subtree.children { out += child.key?.bytes ?? [UInt8](repeating: 0, count: 20) }
        return out
    }

    package static func encode(_ strings: [String]) -> [UInt8] {
        var out: [UInt8] = []
        u32(UInt32(strings.count), into: &out)
        for s in strings { string(s, into: &out) }
        return out
    }

    /// A view's active items and conflicts: every name once, in a table (the active items
    /// first, then each other name as it first comes), and each pair as numbers into it.
    /// Ten thousand pairs name a few hundred changes and a few modules: read back, each
    /// name is made once, not once per pair it is in.
    package static func encode(active: [String], conflicts: [Coordination.Conflict]) -> [UInt8] {
        var table = NameTable(prefix: active)
        var pairs: [UInt8] = []
        u32(UInt32(conflicts.count), into: &pairs)
        for c in conflicts {
            u32(table.number(c.a), into: &pairs)
            u32(table.number(c.b), into: &pairs)
            u32(UInt32(c.shared.count), into: &pairs)
            for t in c.shared { u32(table.number(t), into: &pairs) }
        }
        var out: [UInt8] = []
        u32(UInt32(active.count), into: &out)
        out += encode(table.names)
        return out + pairs
    }

    package static func u32(_ v: UInt32, into out: inout [UInt8]) { LittleEndian.u32(v, into: &out) }

    package static func string(_ s: String, into out: inout [UInt8]) {
        u32(UInt32(s.utf8.count), into: &out)
        // A native string's bytes copied at once (the view's generic append went byte by
        // byte: a first push encodes half a million strings).
        let copied: Void? = s.utf8.withContiguousStorageIfAvailable { out.append(contentsOf: $0) }
        if copied == nil { out += s.utf8 }
    }

    package static func optional(_ v: Value?, into out: inout [UInt8]) {
        guard let v else {
            out.append(0xFF)
            return
        }
        encode(v, into: &out)
    }

    package static func encode(_ v: Value, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(0)
        case .bool(let b): out.append(b ? 2 : 1)
        case .int(let digits):
            out.append(3)
            string(digits, into: &out)
        case .float(let d):
            out.append(4)
            let bits = d.bitPattern
            for i in 0..<8 { out.append(UInt8(bits >> (8 * UInt64(i)) & 0xFF)) }
        case .string(let s):
            out.append(5)
            string(s, into: &out)
        case .list(let items):
            out.append(6)
            u32(UInt32(items.count), into: &out)
            for item in items { encode(item, into: &out) }
        case .map(let m):
            out.append(7)
            u32(UInt32(m.keys.count), into: &out)
            for (k, item) in m.entries {
                string(k, into: &out)
                encode(item, into: &out)
            }
        }
    }

    // MARK: - Decoding

    package static func fields(_ payload: ArraySlice<UInt8>) -> Frontmatter.Fields? {
        var r = Reader(payload)
        guard let value = r.value(), case .map(let map) = value, r.atEnd else { return nil }
        return Frontmatter.Fields(map: map, error: nil)
    }

    package static func subtree(_ payload: ArraySlice<UInt8>) -> (files: [GraphDocument], children: [CacheKey])? {
        var r = Reader(payload)
        guard let n = r.count() else { return nil }
        var files: [GraphDocument] = []
        files.reserveCapacity(n)
        for _ in 0..<n {
            guard let id = r.string(), let path = r.string(), let status = r.optional(), let assignee = r.optional(),
                let t = r.count()
            else { return nil }
            var targets: [String] = []
            targets.reserveCapacity(t)
            for _ in 0..<t {
                guard let s = r.string() else { return nil }
                targets.append(s)
            }
            files.append(GraphDocument(id: id, path: path, status: status, assignee: assignee, targets: targets))
        }
        guard let c = r.count() else { return nil }
        var children: [CacheKey] = []
        for _ in 0..<c {
            guard let raw = r.take(20), let k = CacheKey(raw) else { return nil }
            children.append(k)
        }
        return r.atEnd ? (files, children) : nil
    }

    package static func coordination(_ payload: ArraySlice<UInt8>) -> (active: [String], conflicts: [Coordination.Conflict])? {
        var r = Reader(payload)
        guard let activeCount = r.u32(), let table = r.strings(), Int(activeCount) <= table.count, let n = r.count()
        else { return nil }
        func name(_ r: inout Reader) -> String? {
            guard let i = r.u32(), Int(i) < table.count else { return nil }
            return table[Int(i)]
        }
        var conflicts: [Coordination.Conflict] = []
        conflicts.reserveCapacity(n)
        for _ in 0..<n {
            guard let a = name(&r), let b = name(&r), let k = r.count() else { return nil }
            var shared: [String] = []
            shared.reserveCapacity(k)
            for _ in 0..<k {
                guard let t = name(&r) else { return nil }
                shared.append(t)
            }
            conflicts.append(Coordination.Conflict(a: a, b: b, shared: shared))
        }
        return r.atEnd ? (Array(table[..<Int(activeCount)]), conflicts) : nil
    }

    package static func strings(_ payload: ArraySlice<UInt8>) -> [String]? {
        var r = Reader(payload)
        guard let n = r.count() else { return nil }
        var out: [String] = []
        for _ in 0..<n {
            guard let s = r.string() else { return nil }
            out.append(s)
        }
        return r.atEnd ? out : nil
    }
}
