import ExoGraph
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
