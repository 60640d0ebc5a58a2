import ExoStore

/// The byte form of a ref's flights (changes active at its tip whose state differs from
/// the merge base's), cached under the two workspace trees they were computed from.
extension CacheCoding {
    package static func encode(_ flights: [WorkLine.Flight]) -> [UInt8] {
        var out: [UInt8] = []
        u32(UInt32(flights.count), into: &out)
        for f in flights {
            string(f.id, into: &out)
            encode(f.there, into: &out)
            out.append(f.before == nil ? 0 : 1)
            if let before = f.before { encode(before, into: &out) }
        }
        return out
    }

    static func encode(_ s: ChangeState, into out: inout [UInt8]) {
        optional(s.status, into: &out)
        u32(UInt32(s.targets.count), into: &out)
        for t in s.targets { string(t, into: &out) }
        optional(s.assignee, into: &out)
        string(s.path, into: &out)
        out.append(s.isActive ? 1 : 0)
    }

    package static func flights(_ payload: ArraySlice<UInt8>) -> [WorkLine.Flight]? {
        var r = Reader(payload)
        guard let n = r.count() else { return nil }
        var out: [WorkLine.Flight] = []
        for _ in 0..<n {
            guard let id = r.string(), let there = state(&r), let flag = r.take(1)?.first, flag <= 1 else { return nil }
            var before: ChangeState? = nil
            if flag == 1 {
                guard let s = state(&r) else { return nil }
                before = s
            }
            out.append(WorkLine.Flight(id: id, there: there, before: before))
        }
        return r.atEnd ? out : nil
    }

    static func state(_ r: inout Reader) -> ChangeState? {
        guard let status = r.optional(), let targets = r.strings(), let assignee = r.optional(), let path = r.string(),
            let active = r.take(1)?.first, active <= 1
        else { return nil }
        return ChangeState(status: status, targets: targets, assignee: assignee, path: path, isActive: active == 1)
    }
}

extension ParseCache {
    /// A ref's flights computed before (kept by the store), under the key of its tip's and
    /// merge base's workspace trees.
    package func flights(_ key: CacheKey) -> [WorkLine.Flight]? {
        store?.load(.flights, key).flatMap(CacheCoding.flights)
    }

    /// A commit's committer time kept before (a commit never changes).
    package func commitTime(_ key: CacheKey) -> Int64? {
        guard let payload = store?.load(.commitTime, key), payload.count == 8 else { return nil }
        return payload.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    package func keepCommitTime(_ key: CacheKey, _ time: Int64) {
        guard writes, let store else { return }
        store.save(.commitTime, key, (0..<8).map { UInt8(truncatingIfNeeded: time >> (8 * Int64($0))) })
    }

    /// The refs whose tips descend from a ref's tip, kept under that tip and every ref's
    /// (ancestry never changes; a ref moved makes another key).
    package func successors(_ key: CacheKey) -> [String]? {
        store?.load(.successors, key).flatMap(CacheCoding.strings)
    }

    package func keepSuccessors(_ key: CacheKey, _ names: [String]) {
        guard writes, let store else { return }
        store.save(.successors, key, CacheCoding.encode(names))
    }

    /// Keeps a ref's flights for the next run.
    package func keepFlights(_ key: CacheKey, _ flights: [WorkLine.Flight]) {
        guard writes, let store else { return }
        store.save(.flights, key, CacheCoding.encode(flights))
    }
}
