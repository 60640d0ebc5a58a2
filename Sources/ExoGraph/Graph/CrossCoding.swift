import ExoStore

/// One state of a line of work against the watched refs: each ref's line (the changes in
/// flight there that the line has not settled) and the conflicts across all the lines. A
/// function of the line's view and the refs' flights, so it is cached under the line's
/// tree and those flights: a commit's target state is the next commit's base state.
package struct CrossState: Sendable {
    /// The refs with changes in flight, in the order they are watched.
    package let refs: [WorkLine]
    /// `CrossConflict.among` the line and `refs`.
    package let conflicts: [CrossConflict]

    package init(refs: [WorkLine], conflicts: [CrossConflict]) {
        self.refs = refs
        self.conflicts = conflicts
    }
}

extension CacheCoding {
    package static func encode(_ state: CrossState) -> [UInt8] {
        var out: [UInt8] = []
        u32(UInt32(state.refs.count), into: &out)
        for line in state.refs {
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
        guard let nRefs = r.count() else { return nil }
        var refs: [WorkLine] = []
        for _ in 0..<nRefs {
            guard let name = r.string(), !name.isEmpty, let nItems = r.count() else { return nil }
            var items: [WorkLine.Item] = []
            for _ in 0..<nItems {
                guard let id = r.string(), let state = state(&r), let flag = r.take(1)?.first, flag <= 1 else { return nil }
                items.append(WorkLine.Item(id: id, state: state, takenUpOnLine: flag == 1))
            }
            refs.append(WorkLine(ref: name, items: items))
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
        return r.atEnd ? CrossState(refs: refs, conflicts: conflicts) : nil
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
