import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoStore

/// The conflicts across lines of one state of the line: kept, derived from a near state's,
/// or computed (the fast engine's `CrossState`; the plain twin is Watch+Plain.swift).
extension Watch {
    /// One state of the line against the watched refs: their lines of work and the
    /// conflicts across all the lines. Kept under the line's tree and each ref's name and
    /// flights (what it is a function of), so a commit's target state serves the next
    /// commit as its base state without reading the line's documents again. `near`: the
    /// base state's view and cross state, given when the refs' flights are the same
    /// against both lines (`sharesFlights`).
    func crossState(
        _ line: Coordination, commits: [ObjectID], root: String, cache: ParseCache,
        near: (view: Coordination, state: CrossState)? = nil
    ) -> CrossState {
        var key: CacheKey? = nil
        if keepsCrossStates, let tree = line.graph.key {
            var text: String? = ["exo-guard cross 5", tree.hex, root, topName].joined(separator: "\u{0}")
            let flights = pieces(line: commits, root: root, cache: cache).flights
            for ref in refs {
                let found = flights[ref.name] ?? []
                guard !found.isEmpty else { continue }
                // The flights' digest, not their bytes in hex: they hold every changed path.
                let flightsKey = repository.digest(bytes: CacheCoding.encode(found))
                text = flightsKey.flatMap { k in text.map { $0 + "\u{0}" + ref.name + "\u{0}" + k.hex } }
            }
            key = text.flatMap(repository.digest)
        }
        if let key, let kept = cache.crossState(key) {
            Probe.cachedCross.hit()
            return kept
        }
        let made: CrossState
        let flights = pieces(line: commits, root: root, cache: cache).flights
        if let near,
            let derived = CrossState(
                of: line, derivedFrom: near.state, of: near.view,
                flights: refs.compactMap { ref in
                    let found = flights[ref.name] ?? []
                    return found.isEmpty ? nil : (ref.name, found)
                })
        {
            Probe.derivedCross.hit()
            made = derived
        } else {
            Probe.computedCross.hit()
            let refLines = lines(line, commits: commits, root: root, cache: cache)
            made = CrossState(line: WorkLine(line: line, meeting: refLines), refs: refLines)
        }
        if let key { cache.keepCrossState(key, made) }
        return made
    }
}
