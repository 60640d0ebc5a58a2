import ExoEngine
import ExoGit
import ExoGraph
import ExoModel
import ExoRules
import ExoStore

/// Two rules across branches that look at several refs at once (GUARD.md, "Across
/// branches"), applied to each ref's flights (read and cached ref by ref, Watch.swift):
///
/// - **Work that moved on.** X is not in flight on R when R's tip is an ancestor of the tip
///   of another local branch or remote-tracking ref, watched or not, where X's state differs
///   from R's (a branch merged into main and finished there; reshaped or handed over on a
///   branch stacked on it): that ref's state is the one that counts.
/// - **One piece of work on several refs.** X in flight on R1 and R2 in the same state,
///   where the merge base of R1 and R2 holds X in that state (reached through shared
///   history), transitively: one piece of work, kept on one ref (the one whose tip is an
///   ancestor of every other tip of the group, else the default branch, then local
///   branches before remote-tracking refs, then by name), with how many other refs hold it.
extension Watch {
    /// Each ref's flights after both rules, and for each ref the pieces of work it holds
    /// for others too: id -> how many other refs hold it.
    struct Pieces {
        var flights: [String: [WorkLine.Flight]] = [:]
        var also: [String: [Exact: Int]] = [:]
        /// The refs that hold a change in flight in the same state as another ref (one piece
        /// of work or not), and those that descend from a ref with flights: what another
        /// watch of the same refs less one must not have left out (Watch+Wide.swift).
        var grouped: Set<String> = []
        var successors: Set<String> = []
    }

    /// Each line's pieces of work for this watch's refs. Kept by the watch, not the run:
    /// the grouping and which refs have flights at all depend on which refs are watched,
    /// and the checks of one push each watch a different set (every ref but their own).
    func pieces(line: [ObjectID], root: String, cache: ParseCache) -> Pieces {
        let key = Self.piecesKey(line, root)
        if let hit = piecesByLine[key] { return hit }
        var out = Pieces()
        let found = refs.map { ref in
            (
                ref,
                plain
                    ? plainFlights(ref, line: line, root: root, cache: cache) : flights(ref, line: line, root: root, cache: cache)
            )
        }.filter { !$0.1.isEmpty }
        // A walk for moved-on work goes back as far as the oldest tip with work in flight.
        memo.oldestInFlight = min(memo.oldestInFlight ?? .max, found.map(\.0.time).min() ?? .max)
        for (ref, flights) in found {
            out.flights[ref.name] = movedOn(ref, flights, root: root, cache: cache)
            for r in memo.successors[ref.tip] ?? [] { out.successors.insert(r.name) }
        }
        group(&out, root: root, cache: cache)
        piecesByLine[key] = out
        return out
    }

    /// Whether the watched refs' flights against the line at `target` are those against
    /// `base`: the same commits, or every ref's merge base with the one its merge base with
    /// the other (a push's new commits that no watched ref holds). A ref's flights, work
    /// that moved on and one piece of work are functions of its tip, that merge base and
    /// the other refs, never of the line itself; so the target's pieces are the base's,
    /// and no ref's flights are asked again for it (a push of many refs asks each other
    /// ref's for every pushed one).
    func sharesFlights(_ target: [ObjectID], with base: [ObjectID], root: String, cache: ParseCache) -> Bool {
        if target == base { return true }
        guard memo.sharesFlights, sameMergeBases(target, base) else { return false }
        piecesByLine[Self.piecesKey(target, root)] = pieces(line: base, root: root, cache: cache)
        Probe.sharedFlights.hit()
        return true
    }

    /// Whether every watched ref's merge base with `target` is its merge base with `base`.
    /// One commit each, the base below the target: when no watched tip reaches a commit of
    /// the target's that the base does not reach (one walk for the whole run, whatever the
    /// number of pushed refs), they are; else each ref's two merge bases are compared.
    private func sameMergeBases(_ target: [ObjectID], _ base: [ObjectID]) -> Bool {
        if target.count == 1, base.count == 1, case let found = ownCommits(above: base[0], for: target[0]),
            found.found?.contains(target[0]) == true,
            refs.allSatisfy({ $0.tip != target[0] && found.tips.contains($0.tip) }),
            repository.mergeBase(target[0], base[0]) == base[0]
        {
            return true
        }
        return refs.allSatisfy { mergeBase($0.tip, base) == mergeBase($0.tip, target) }
    }

    /// The walk of `tipsWithOwnCommits` above `base`, once per run: from every ref the run's
    /// watches see, this watch's refs and `target`.
    private func ownCommits(above base: ObjectID, for target: ObjectID) -> (tips: Set<ObjectID>, found: Set<ObjectID>?) {
        if let kept = memo.ownCommits[base] { return kept }
        var tips = Set(allRefs().refs.map(\.id))
        for r in refs { tips.insert(r.tip) }
        tips.insert(target)
        Probe.ownCommitsWalk.hit()
        let made = (tips, repository.tipsWithOwnCommits(tips, above: base, limit: 20_000 + 4 * tips.count))
        memo.ownCommits[base] = made
        return made
    }

    static func piecesKey(_ line: [ObjectID], _ root: String) -> String {
        (line.map(\.description) + [root]).joined(separator: " ")
    }

    /// `found` less the changes whose work moved on to a ref stacked on `ref`.
    private func movedOn(_ ref: WatchedRef, _ found: [WorkLine.Flight], root: String, cache: ParseCache) -> [WorkLine.Flight] {
        var kept = found
        for other in successors(of: ref, cache: cache) {
            guard !kept.isEmpty else { break }
            guard let graph = graph(other.tip, root: root, cache: cache) else { continue }
            let there = graph.states(of: Set(kept.map { Exact($0.id) })).states
            Probe.movedOn.hit()
            kept.removeAll { f in there[Exact(f.id)] != f.there }
        }
        return kept
    }

    /// The local branches and remote-tracking refs whose tip descends from `ref`'s, among
    /// this watch's refs as they stand (`sees`). Found once per tip and run among every
    /// ref the run's watches see (with a push of several refs, the refs of
    /// the server and the pushed refs at their new values), then the refs this watch does
    /// not see are left out (each check of a push sees the others at their new values and
    /// its own ref as it was). Kept in the cache under the tip and every ref's tip (ancestry
    /// never changes), so a warm run walks nothing.
    /// One walk asks whether any ref descends (most are stacked on nothing); only then is
    /// each asked. A descendant is committed after its ancestors (clock skew aside, when
    /// the work stays in flight: the safe side), so later tips alone are asked.
    private func successors(of ref: WatchedRef, cache: ParseCache) -> [WatchedRef] {
        let everywhere = memo.successors[ref.tip] ?? findSuccessors(of: ref, cache: cache)
        memo.successors[ref.tip] = everywhere
        return everywhere.compactMap { r in
            guard r.name != ref.name, sees(r) else { return nil }
            return WatchedRef(name: r.name, tip: r.id, time: 0)
        }
    }

    private func findSuccessors(of ref: WatchedRef, cache: ParseCache) -> [Repository.Reference] {
        let (tips, digest) = allRefs()
        let key = repository.digest(["exo-guard successors 2", ref.tip.description, digest].joined(separator: "\u{0}"))
        // Kept as "<id> <name>": with a push, a pushed ref is there at its old and new tips.
        if let key, let kept = cache.successors(key) {
            let known = Set(tips)
            return kept.compactMap { entry in
                guard let space = entry.firstIndex(of: " "), let id = ObjectID(hex: String(entry[..<space])) else { return nil }
                let r = Repository.Reference(name: String(entry[entry.index(after: space)...]), id: id)
                return known.contains(r) ? r : nil
            }
        }
        var found: [Repository.Reference] = []
        if stackedOn(since: min(ref.time, memo.oldestInFlight ?? ref.time)).contains(ref.tip) {
            found = tips.filter { r in
                guard r.id != ref.tip, let time = repository.committerTime(r.id), time >= ref.time else { return false }
                return repository.descends(r.id, from: ref.tip)
            }
        }
        if let key { cache.keepSuccessors(key, found.map { $0.id.description + " " + $0.name }) }
        return found
    }

    /// The tips (and other commits) that some ref's tip descends from: one walk over every
    /// local and remote-tracking ref the run sees, back to the oldest tip asked about, once
    /// per run (and again only for an older one).
    private func stackedOn(since: Int64) -> Set<ObjectID> {
        if let (walked, found) = memo.stacked, walked <= since { return found }
        Probe.successorWalk.hit()
        let found = repository.parents(reachableFrom: allRefs().refs.map(\.id), since: since)
        memo.stacked = (since, found)
        return found
    }

    /// Every local branch and remote-tracking ref the run's watches see (the repository's,
    /// and a push's refs at their new values), and a digest of their names and tips, once
    /// per run.
    private func allRefs() -> (refs: [Repository.Reference], digest: String) {
        if let listed = memo.allRefs { return listed }
        let refs = (listing + (memo.pushedValues ?? [])).filter {
            $0.name.hasPrefix("refs/heads/") || $0.name.hasPrefix("refs/remotes/")
        }
        let text = refs.map { $0.name + " " + $0.id.description }.sorted().joined(separator: "\n")
        let listed = (refs, repository.digest(text)?.hex ?? text)
        memo.allRefs = listed
        return listed
    }

    /// Keeps each piece of work held by several refs on one of them, counting the others.
    private func group(_ pieces: inout Pieces, root: String, cache: ParseCache) {
        // The refs holding each id, then those holding it in the same state.
        var byID: [Exact: [(ref: WatchedRef, flight: WorkLine.Flight)]] = [:]
        for ref in refs {
            for f in pieces.flights[ref.name] ?? [] { byID[Exact(f.id), default: []].append((ref, f)) }
        }
        var sameState: [(id: Exact, flight: WorkLine.Flight, refs: [WatchedRef])] = []
        for (id, held) in byID where held.count > 1 {
            var classes: [(flight: WorkLine.Flight, refs: [WatchedRef])] = []
            for (ref, f) in held {
                if let i = classes.firstIndex(where: { $0.flight.there == f.there }) {
                    classes[i].refs.append(ref)
                } else {
                    classes.append((f, [ref]))
                }
            }
            for c in classes where c.refs.count > 1 {
                sameState.append((id, c.flight, c.refs))
                for r in c.refs { pieces.grouped.insert(r.name) }
            }
        }
        for (id, flight, refs) in sameState {
            let groups = Rules.pieces(of: refs) { i, j in
                guard let m = repository.mergeBase(refs[i].tip, refs[j].tip), let graph = graph(m, root: root, cache: cache)
                else { return false }
                return graph.states(of: [id]).states[id] == flight.there
            }
            for group in groups {
                let keeper = Rules.keeper(
                    of: group, order: { Rules.keeperOrder($0.name, $1.name, defaultBranch: defaultBranch) },
                    isBelowAll: { r in group.allSatisfy { $0.tip == r.tip || repository.descends($0.tip, from: r.tip) } })
                Probe.onePiece.hit()
                for r in group where r.name != keeper.name {
                    pieces.flights[r.name]?.removeAll { Exact($0.id) == id }
                }
                pieces.also[keeper.name, default: [:]][Exact(flight.id)] = group.count - 1
            }
        }
    }

    /// The repository's default branch: in a bare repository the branch HEAD names; in a
    /// clone the local branch named like `refs/remotes/origin/HEAD`'s target, else that
    /// remote-tracking ref; without it, `main`, then `master`.
    var defaultBranch: String {
        if let known = memo.defaultBranch { return known }
        var found = ""
        if repository.workTree == nil {
            found = repository.headReferenceName ?? ""
        } else if let target = repository.symbolicTarget("refs/remotes/origin/HEAD") {
            let local = "refs/heads/" + target.dropFirst("refs/remotes/origin/".count)
            found = listing.contains { $0.name == local } ? local : target
        } else {
            let names = Set(listing.map(\.name))
            found = ["refs/heads/main", "refs/heads/master"].first(where: names.contains) ?? ""
        }
        memo.defaultBranch = found
        return found
    }
}
