import ExoEngine
import ExoGit
import ExoGraph
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// Which refs a check watches: git config `exo.watch` (or `check --watch`), less the refs
/// of the line itself, symbolic refs, and tips older than `exo.watchDays` days.
extension Session {
    /// The watched refs, nil when watching is off or nothing is watched.
    /// - Parameters:
    ///   - excluding: the ref committed to or pushed, and its upstream or tracking ref.
    ///   - overrides: refs of the same push at their new values (nil: deleted).
    ///   - patterns: `--watch` patterns for one run (empty: `--no-watch`); nil reads git config.
    func watch(
        excluding: Set<String>, overrides: [String: ObjectID?] = [:],
        patterns explicit: [String]?
    ) throws(ExoError) -> Watch? {
        guard let repository, let patterns = watchPatterns(explicit, bare: repository.workTree == nil),
            !patterns.isEmpty
        else { return nil }
        let days = try watchDays()
        let now = Int64(time(nil))
        var tips: [String: ObjectID] = [:]
        for ref in references(repository) { tips[ref.name] = ref.id }
        // Refs admitted by checks that have not landed yet count at their new values.
        let pending = pendingAdmissions()
        for (name, id) in pending { tips[name] = id }
        for (name, id) in overrides { tips[name] = id }
        var refs: [WatchedRef] = []
        for name in matching(Set(tips.keys), patterns) {
            guard !excluding.contains(name) else { continue }
            let id = tips[name]!
            guard let (tip, time) = commitAndTime(id, in: repository) else { continue }  // not a commit
            if days > 0 && now - time > Int64(days) * 86_400 { continue }
            var ref = WatchedRef(name: name, tip: tip, time: time)
            ref.pending = pending[name] == id && overrides[name] == nil
            refs.append(ref)
        }
        guard !refs.isEmpty else { return nil }
        watchMemo.byDelta = environment["EXO_GUARD_TEST_FLIGHTS"] != "graphs"
        watchMemo.sharesFlights = environment["EXO_GUARD_TEST_FLIGHTS"] != "unshared"
        if watchMemo.pushedValues == nil {
            // What moved-on work is judged against: the refs as each check of the run sees
            // them. A push of one ref: its check alone, the refs as they are.
            let present = Set(references(repository))  // a ref pushed where it is: seen as it is
            watchMemo.pushedValues = Set(
                pushedTips.count > 1
                    ? pushedTips.compactMap { name, id in id.map { Repository.Reference(name: name, id: $0) } }
                        .filter { !present.contains($0) } : [])
        }
        let watch = Watch(
            repository: repository, refs: refs, listing: references(repository), overrides: overrides, memo: watchMemo)
        watch.keepsCrossStates = overrides.isEmpty
        watch.plain = engine is PlainEngine
        watchedRefs += refs.count
        return watch
    }

    /// The watch of one ref of a push of several: the wide watch's refs (every ref the push
    /// leaves, listed once for the run) less `ref`, which `watch(excluding: [ref], ...)` would
    /// list again for each pushed ref (the same names, tips and times, the admissions
    /// pending as the run found them); nil when that leaves nothing.
    func narrowed(_ wide: Watch, to ref: String, overrides: [String: ObjectID?]) -> Watch? {
        let refs = wide.refs.filter { $0.name != ref }
        guard let repository, !refs.isEmpty else { return nil }
        let watch = Watch(
            repository: repository, refs: refs, listing: references(repository), overrides: overrides, memo: watchMemo)
        watch.keepsCrossStates = false
        watch.plain = wide.plain
        watch.wide = (wide, refs.count < wide.refs.count ? ref : nil)
        watchedRefs += refs.count
        return watch
    }

    /// The names of `names` that `patterns` match, in code point order; once per run for the
    /// same names (a pre-push of many refs watches the same names for each).
    private func matching(_ names: Set<String>, _ patterns: [String]) -> [String] {
        if let kept = matchedNames, kept.patterns == patterns, kept.names == names { return kept.matching }
        let found = names.filter { name in patterns.contains { RefName.matches(name, $0) } }.sorted { Exact($0) < Exact($1) }
        matchedNames = (names, patterns, found)
        return found
    }

    /// The repository's direct refs, listed once per run (a pre-receive checks many refs).
    func references(_ repository: Repository) -> [Repository.Reference] {
        if let listed = listedReferences { return listed }
        let listed = repository.directReferences()
        listedReferences = listed
        return listed
    }

    /// The commit a ref names (a tag peeled) and its committer time, kept in the cache.
    private func commitAndTime(_ id: ObjectID, in repository: Repository) -> (ObjectID, Int64)? {
        if let known = commitTimes[id] { return known }
        let found = readCommitAndTime(id, in: repository)
        commitTimes[id] = found
        return found
    }

    private func readCommitAndTime(_ id: ObjectID, in repository: Repository) -> (ObjectID, Int64)? {
        if let time = cache.commitTime(id.cacheKey) { return (id, time) }
        guard let tip = repository.committerTime(id) != nil ? id : repository.peeledCommit(id),
            let time = repository.committerTime(tip)
        else { return nil }
        if tip == id { cache.keepCommitTime(id.cacheKey, time) }
        return (tip, time)
    }

    /// The patterns in force: `--watch`, else git config `exo.watch` (`none` turns watching
    /// off), else `refs/heads/*` and, with a work tree, `refs/remotes/*`.
    func watchPatterns(_ explicit: [String]?, bare: Bool) -> [String]? {
        if let explicit { return explicit }
        let configured = config?.strings("exo.watch") ?? []
        if configured.contains(where: { $0.lowercased() == "none" }) { return nil }
        if !configured.isEmpty { return configured }
        return bare ? ["refs/heads/*"] : ["refs/heads/*", "refs/remotes/*"]
    }

    /// What the watches of this run did, one line, for `EXO_GUARD_STATS=1` (tests use it to
    /// see that the folder-by-folder comparison ran, and how much it read).
    public var watchStats: String {
        let refs = watchedRefs
        let graphs = watchMemo.stats.graphs
        let diffs = probes[.graphFlights]
        let cached = watchMemo.stats.cachedFlights
        return
            "exo-guard stats: watched refs \(refs), graphs read \(graphs), folder diffs \(diffs), flights from the cache \(cached)"
    }

    /// git config `exo.watchDays`: refs whose tip is older are not watched (default 30, 0 = no limit).
    func watchDays() throws(ExoError) -> Int {
        try integer("exo.watchDays", least: 0, expected: "a whole number of days, 0 for no limit") ?? 30
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return String(s)
    }
}
