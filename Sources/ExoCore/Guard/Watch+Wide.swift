import ExoEngine
import ExoGit
import ExoGraph
import ExoModel

/// The base states of a push of several refs, made once. Each pushed ref's check watches
/// every ref the push leaves but its own; on the same base (the new refs of one push start
/// from the same merge base with the default branch) those watches differ by one ref each.
/// So the session makes one wide watch of them all, and each check's base state is the wide
/// watch's less its own ref: the ref's line and the pairs it is in taken out, the line's
/// changes that met only that ref's with them, and nothing found again ref by ref.
extension Watch {
    /// This check's base state and pieces of work from the wide watch's, when they are the
    /// same less this check's own ref (this watch's refs are the wide watch's less that one,
    /// `Session.narrowed`): nil (found here) when the left-out ref held a change in the same
    /// state as another ref (one piece of work decides which ref keeps it) or stands where
    /// another ref's work may have moved on (work that moved on) - either way, leaving it
    /// out could change the others' flights.
    func wideBase(_ before: Coordination, line: [ObjectID], root: String, cache: ParseCache) -> CrossState? {
        guard let (wide, own) = self.wide, memo.sharesFlights, !plain else { return nil }
        let theirs = wide.pieces(line: line, root: root, cache: cache)
        if let own, theirs.grouped.contains(own) || theirs.successors.contains(own) { return nil }
        let state = wide.wideState(before, line: line, root: root, cache: cache)
        var mine = theirs
        if let own {
            mine.flights[own] = nil
            mine.also[own] = nil
        }
        piecesByLine[Self.piecesKey(line, root)] = mine
        Probe.wideBase.hit()
        return own.map { state.without(ref: $0, line: before) } ?? state
    }

    /// The wide watch's cross state of one state of the line, once per line and view.
    private func wideState(_ view: Coordination, line: [ObjectID], root: String, cache: ParseCache) -> CrossState {
        let key = Self.piecesKey(line, root)
        if let kept = wideStates[key], kept.view == view.graph.identity { return kept.state }
        let refLines = lines(view, commits: line, root: root, cache: cache)
        let made = CrossState(line: WorkLine(line: view, meeting: refLines), refs: refLines)
        wideStates[key] = (view.graph.identity, made)
        return made
    }
}
