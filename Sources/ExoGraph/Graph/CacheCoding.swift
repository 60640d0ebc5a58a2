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

    /// A view's active items, conflicts and the active items' targets: every name once, in
    /// a table (the active items first, then each other name as it first comes), each pair
    /// and each item's targets as numbers into it. Ten thousand pairs name a few hundred
    /// changes and a few modules: read back, each name is made once, not once per pair it
    /// is in. `targets[i]`: the targets of `active[i]`.
    package static func encode(active: [String], conflicts: [Coordination.Conflict], targets: [[String]]) -> [UInt8] {
        var table = NameTable(prefix: active)
        var numbers: [UInt8] = []
        numbers.reserveCapacity(4 + conflicts.count * 16 + targets.reduce(active.count * 4) { $0 + $1.count * 4 })
        u32(UInt32(conflicts.count), into: &numbers)
        for c in conflicts {
            u32(table.number(c.a), into: &numbers)
            u32(table.number(c.b), into: &numbers)
            u32(UInt32(c.shared.count), into: &numbers)
            for t in c.shared { u32(table.number(t), into: &numbers) }
        }
        for i in active.indices {
            let mine = i < targets.count ? targets[i] : []
            u32(UInt32(mine.count), into: &numbers)
            for t in mine { u32(table.number(t), into: &numbers) }
        }
        var out: [UInt8] = []
        let names = encode(table.names)
        out.reserveCapacity(4 + names.count + numbers.count)
        u32(UInt32(active.count), into: &out)
        out += names
        out += numbers
        return out
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

    /// A kept folder's documents, encoded: checked whole, decoded when asked for.
    package struct KeptFiles: Sendable {
        /// The documents' bytes: copied, or where they lie in the mapped cache file.
        let source: Source
        let count: Int
        /// The documents' ids, as far as a filter tells them.
        let ids: IDFilter

        enum Source: Sendable {
            case bytes(ArraySlice<UInt8>)
            case mapped(MappedBytes)
        }

        /// The bytes, copied out of the file when read in place.
        var bytes: ArraySlice<UInt8> {
            switch source {
            case .bytes(let bytes): bytes
            case .mapped(let mapped): mapped.copied()
            }
        }
    }

    package static func subtree(_ payload: ArraySlice<UInt8>) -> (files: [GraphDocument], children: [CacheKey])? {
        guard let (kept, children) = subtreeShape(payload) else { return nil }
        return (documents(kept), children)
    }

    /// A folder's entry read through without making its documents: every length, string
    /// and value checked as `documents` reads them, so that they decode; nil when malformed.
    package static func subtreeShape(_ payload: ArraySlice<UInt8>) -> (files: KeptFiles, children: [CacheKey])? {
        let checked = payload.withUnsafeBufferPointer { raw in
            var s = Skipper(raw, of: payload)
            return s.documents()
        }
        guard let checked else { return nil }
        let start = payload.startIndex + 4
        let files = KeptFiles(
            source: .bytes(payload[start..<(payload.startIndex + checked.end)]), count: checked.count, ids: checked.ids)
        var r = Reader(payload[(payload.startIndex + checked.end)...])
        guard let c = r.count() else { return nil }
        var children: [CacheKey] = []
        for _ in 0..<c {
            guard let raw = r.take(20), let k = CacheKey(raw) else { return nil }
            children.append(k)
        }
        return r.atEnd ? (files, children) : nil
    }

    /// The path of the first document of bytes `subtreeShape` checked; nil when none.
    static func firstPath(_ kept: KeptFiles) -> String? {
        var r = Reader(kept.bytes)
        guard kept.count > 0, r.string() != nil else { return nil }
        return r.string()
    }

    /// The documents of bytes `subtreeShape` checked.
    static func documents(_ kept: KeptFiles) -> [GraphDocument] {
        var r = Reader(kept.bytes)
        var files: [GraphDocument] = []
        files.reserveCapacity(kept.count)
        for _ in 0..<kept.count {
            guard let id = r.string(), let path = r.string(), let status = r.optional(), let assignee = r.optional(),
                let t = r.count()
            else { break }
            var targets: [String] = []
            targets.reserveCapacity(t)
            for _ in 0..<t {
                guard let s = r.string() else { break }
                targets.append(s)
            }
            files.append(GraphDocument(id: id, path: path, status: status, assignee: assignee, targets: targets))
        }
        assert(files.count == kept.count && r.atEnd, "a kept folder's documents decode as they were checked")
        return files
    }

    /// A kept view's active items' targets, checked and not yet made.
    package struct KeptTargets: Sendable {
        let bytes: ArraySlice<UInt8>
        let table: [String]
        let count: Int

        /// Each item's targets, in the order of the view's active items.
        package var decoded: [[String]] {
            var r = Reader(bytes)
            var out: [[String]] = []
            out.reserveCapacity(count)
            for _ in 0..<count {
                let k = r.count() ?? 0
                out.append((0..<k).map { _ in table[Int(r.u32() ?? 0)] })
            }
            return out
        }

        /// For each item not in `excluded` that points at some of `wanted`, those it points
        /// at, read on the numbers: the few wanted names looked up in the table, then each
        /// item's numbers compared with theirs (no item's targets made, nothing hashed but
        /// the items found).
        package func pointing(at wanted: Set<Exact>, excluding excluded: Set<Exact>) -> [Exact: Set<Exact>] {
            let lookup = ExactLookup(wanted)
            let wantedNumbers = table.indices.filter { lookup.contains(Exact(table[$0])) }
            guard !wantedNumbers.isEmpty else { return [:] }
            var out: [Exact: Set<Exact>] = [:]
            bytes.withUnsafeBufferPointer { raw in
                var r = RawReader(raw: raw)
                for item in 0..<count {
                    let k = r.count() ?? 0
                    for _ in 0..<k {
                        let n = r.u32() ?? 0
                        if wantedNumbers.contains(n) {
                            let id = Exact(table[item])
                            if !excluded.contains(id) { out[id, default: []].insert(Exact(table[n])) }
                        }
                    }
                }
            }
            return out
        }
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
