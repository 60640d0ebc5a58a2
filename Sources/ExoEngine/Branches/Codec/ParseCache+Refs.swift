import ExoGraph
import ExoStore

/// What the cache keeps for watched refs: their flights, commits' times, which refs
/// descend from a tip. Each under a key that names everything it is a function of.
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
