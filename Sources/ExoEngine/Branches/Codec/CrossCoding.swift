import ExoGraph
import ExoStore

extension CacheCoding {
    package static func encode(_ state: CrossState) -> [UInt8] {
        var out: [UInt8] = []
        u32(UInt32(state.refs.count + 1), into: &out)
        for line in [state.line] + state.refs {
            string(line.ref ?? "", into: &out)
            u32(UInt32(line.items.count), into: &out)
            for item in line.items {
                string(item.id, into: &out)
                encode(item.state, into: &out)
                out.append(item.takenUpOnLine ? 1 : 0)
            }
        }
        u32(UInt32(state.conflicts.count), into: &out)
        for c in state.conflicts {
            string(c.a, into: &out)
            string(c.aRef ?? "", into: &out)
            string(c.b, into: &out)
            string(c.bRef ?? "", into: &out)
            u32(UInt32(c.shared.count), into: &out)
            for t in c.shared { string(t, into: &out) }
        }
        return out
    }

    package static func crossState(_ payload: ArraySlice<UInt8>) -> CrossState? {
        var r = Reader(payload)
        guard let nLines = r.count(), nLines >= 1 else { return nil }
        var lines: [WorkLine] = []
        for n in 0..<nLines {
            // The line first (no ref name), then each ref.
            guard let name = r.string(), name.isEmpty == (n == 0), let nItems = r.count() else { return nil }
            var items: [WorkLine.Item] = []
            for _ in 0..<nItems {
                guard let id = r.string(), let state = state(&r), let flag = r.take(1)?.first, flag <= 1 else { return nil }
                items.append(WorkLine.Item(id: id, state: state, takenUpOnLine: flag == 1))
            }
            lines.append(WorkLine(ref: name.isEmpty ? nil : name, items: items))
        }
        guard let nConflicts = r.count() else { return nil }
        var conflicts: [CrossConflict] = []
        for _ in 0..<nConflicts {
            guard let a = r.string(), let aRef = r.string(), let b = r.string(), let bRef = r.string(),
                let shared = r.strings()
            else { return nil }
            conflicts.append(
                CrossConflict(a: a, aRef: aRef.isEmpty ? nil : aRef, b: b, bRef: bRef.isEmpty ? nil : bRef, shared: shared))
        }
        return r.atEnd ? CrossState(line: lines[0], refs: Array(lines.dropFirst()), conflicts: conflicts) : nil
    }
}

extension ParseCache {
    /// A line state's refs and cross-branch conflicts computed before, under `key`.
    package func crossState(_ key: CacheKey) -> CrossState? {
        store?.load(.crossState, key).flatMap(CacheCoding.crossState)
    }

    /// Keeps a line state's refs and cross-branch conflicts for the next run.
    package func keepCrossState(_ key: CacheKey, _ state: CrossState) {
        guard writes, let store else { return }
        store.save(.crossState, key, encoding: { CacheCoding.encode(state) })
    }
}
