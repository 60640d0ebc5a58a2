import ExoGraph
import ExoModel

/// The fast engine's comparison of a base and a target view (`FastEngine.judge`): through
/// the pairs of the changed ids when the target was derived from the base, else pair by
/// pair, streamed when either side has more pairs than `Coordination.materializedPairs`
/// (both sides' pairs read one at a time, each list keeping at most `kept`). Equal to the
/// plain engine's judgement (PlainEngine, ExoRules' `Rules.judge`): EngineTests.
extension GraphDiff {
    /// The first pairs of `pairs`, as many as a streamed comparison's list keeps.
    static func keptPrefix<S: Sequence>(_ pairs: S) -> [Coordination.Conflict] where S.Element == Coordination.Conflict {
        var out: [Coordination.Conflict] = []
        var entries = 0
        for c in pairs {
            guard out.count < kept && entries + c.shared.count <= keptEntries else { break }
            out.append(c)
            entries += c.shared.count
        }
        return out
    }

    /// The comparison of `target` with `base`.
    public init(base: Coordination, target: Coordination) {
        self.init(base: base, target: target, materializedPairs: Coordination.materializedPairs)
    }

    /// `materializedPairs`: past this many pairs on either side, the pairs are streamed;
    /// `changedLimit`: past this many changed ids, the streamed comparison reads all the
    /// pairs (tests set them low to see those paths on small graphs).
    init(base: Coordination, target: Coordination, materializedPairs: Int, changedLimit: Int = Self.changedLimit) {
        let paired: Paired
        let activated: [String]
        if let d = target.derivation, d.base == base.graph.identity {
            // A view derived from this base: pairs of unchanged ids are the same on both
            // sides, so only the pairs with a changed id are compared.
            Probe.changedPairsDiff.hit()
            var p = Self.pairUp(before: d.before.makeIterator(), after: d.after.makeIterator(), keep: .max)
            p.existing = Coordination.merged(d.kept, p.existing, by: { Coordination.order($0, $1) < 0 })
            p.counts.existing = p.existing.count
            paired = p
            let wasActive = base.active.map { Exact($0) }
            activated = target.active.filter { d.changed.contains(Exact($0)) && !wasActive.sortedContains(Exact($0)) }
        } else {
            if max(base.pairBound, target.pairBound) > materializedPairs {
                Probe.streamedDiff.hit()
                paired = Self.large(base: base, target: target, changedLimit: changedLimit)
            } else {
                Probe.wholeDiff.hit()
                paired = Self.pairUp(before: base.pairs.makeIterator(), after: target.pairs.makeIterator(), keep: .max)
            }
            let wasActive = Set(base.active.map { Exact($0) })
            activated = target.active.filter { !wasActive.contains(Exact($0)) }
        }
        self.init(base: base, target: target, paired, activated: activated)
    }

    private init(base: Coordination, target: Coordination, _ paired: Paired, activated: [String]) {
        self.init(
            base: base, target: target, new: paired.new, existing: paired.existing, resolved: paired.resolved,
            counts: paired.counts, newShared: paired.newShared, activated: activated)
    }

    /// A target judged against a base that could not be read: against the empty graph,
    /// every conflict the target holds counted as existing.
    public init(unreadableBase target: Coordination) {
        var paired = Paired()
        if target.pairBound > Coordination.materializedPairs {
            paired.counts.existing = target.pairCount
            paired.existing = Self.keptPrefix(target.pairs)
        } else {
            paired = Self.pairUp(
                before: [Coordination.Conflict]().makeIterator(), after: target.pairs.makeIterator(), keep: .max,
                allExisting: true)
        }
        self.init(base: Coordination(.empty), target: target, paired, activated: target.active)
    }

    struct Paired {
        var new: [Coordination.Conflict] = []
        var existing: [Coordination.Conflict] = []
        var resolved: [Coordination.Conflict] = []
        var counts = Counts()
        var newShared: [String: Int] = [:]
    }

    /// Two sequences of conflicts sorted by (a, b) in code point order, paired in one merge
    /// pass; each list keeps its first `keep` (and, when `keep` is `kept`, no more than
    /// `keptEntries` shared targets). With `allExisting`, every pair of `after` counts as
    /// existing (a base that could not be read).
    private static func pairUp<B: IteratorProtocol, A: IteratorProtocol>(
        before: B, after: A, keep: Int, allExisting: Bool = false
    ) -> Paired where B.Element == Coordination.Conflict, A.Element == Coordination.Conflict {
        var before = before
        var after = after
        var out = Paired()
        let entryLimit = keep == .max ? Int.max : keptEntries
        var entries = (new: 0, existing: 0, resolved: 0)
        func new(_ c: Coordination.Conflict) {
            if allExisting { return existing(c) }
            out.counts.new += 1
            if out.new.count < keep && entries.new + c.shared.count <= entryLimit {
                out.new.append(c)
                entries.new += c.shared.count
            }
            for t in c.shared { out.newShared[t, default: 0] += 1 }
        }
        func existing(_ c: Coordination.Conflict) {
            out.counts.existing += 1
            if out.existing.count < keep && entries.existing + c.shared.count <= entryLimit {
                out.existing.append(c)
                entries.existing += c.shared.count
            }
        }
        var x = before.next()
        var y = after.next()
        while let b = x ?? y {
            let order: Int
            if let bx = x, let ay = y { order = Coordination.order(bx, ay) } else { order = x == nil ? 1 : -1 }
            if order < 0 {
                out.counts.resolved += 1
                if out.resolved.count < keep && entries.resolved + b.shared.count <= entryLimit {
                    out.resolved.append(b)
                    entries.resolved += b.shared.count
                }
                x = before.next()
            } else if order > 0 {
                new(y!)
                y = after.next()
            } else {
                if isSubset(y!.shared, of: x!.shared) { existing(y!) } else { new(y!) }
                x = before.next()
                y = after.next()
            }
        }
        return out
    }

    /// Past this many changed ids, a large comparison reads every pair of both sides.
    static let changedLimit = 1_000

    /// Sides with millions of pairs. Pairs of two ids that did not change are the same on
    /// both sides (see DerivedView): they are existing, counted without being made; only the
    /// pairs of changed ids are compared. Each list keeps its first `kept`.
    private static func large(base: Coordination, target: Coordination, changedLimit: Int) -> Paired {
        if base.active.isEmpty { return allNew(target) }
        guard let changed = Coordination.changedIDs(base.graph, target.graph, limit: changedLimit) else {
            return activatedApart(base: base, target: target)
        }
        // Streamed: 1,000 changed ids can have millions of partners.
        var paired = pairUp(
            before: base.pairs(touching: changed).makeIterator(),
            after: target.pairs(touching: changed).makeIterator(), keep: kept)
        let touched = paired.counts.new + paired.counts.existing
        paired.counts.existing += target.pairCount - touched
        if paired.existing.count < kept && target.pairCount > touched {
            let untouched = keptPrefix(target.pairs(avoiding: changed))
            paired.existing = keptPrefix(
                Coordination.merged(paired.existing, untouched, by: { Coordination.order($0, $1) < 0 }))
        }
        return paired
    }

    /// Many ids changed: every pair is read, except those of an id the target activates,
    /// which are new whatever they share (the base had no pair of it), counted and counted by
    /// shared target from the index alone, the first `kept` listed. 20,000 changes activated
    /// at once on one module are 200 million such pairs.
    private static func activatedApart(base: Coordination, target: Coordination) -> Paired {
        let wasActive = Set(base.active.map { Exact($0) })
        let activated = Set(target.active.lazy.map { Exact($0) }.filter { !wasActive.contains($0) })
        var paired = pairUp(
            before: base.pairs.makeIterator(), after: target.pairs(avoiding: activated).makeIterator(), keep: kept)
        guard !activated.isEmpty else { return paired }
        Probe.activatedPairsCounted.hit()
        paired.counts.new += target.pairCount - paired.counts.new - paired.counts.existing
        for (t, n) in target.pairsByTarget(touching: activated) { paired.newShared[t, default: 0] += n }
        paired.new = keptPrefix(
            Coordination.merged(
                paired.new, keptPrefix(target.pairs(touching: activated)), by: { Coordination.order($0, $1) < 0 }))
        return paired
    }

    /// Against a base with no active change, every pair of the target is new: counted, and
    /// counted by shared target, from the index alone; the first `kept` listed.
    private static func allNew(_ target: Coordination) -> Paired {
        var paired = Paired()
        paired.counts.new = target.pairCount
        paired.newShared = target.pairsByTarget
        paired.new = keptPrefix(target.pairs)
        return paired
    }

    /// Whether every item of `a` is in `b`, both sorted in code point order without repeats.
    private static func isSubset(_ a: [String], of b: [String]) -> Bool {
        var j = 0
        for x in a {
            while j < b.count && Exact(b[j]) < Exact(x) { j += 1 }
            guard j < b.count, Exact(b[j]) == Exact(x) else { return false }
            j += 1
        }
        return true
    }
}
