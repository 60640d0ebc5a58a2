import ExoGit
import ExoGraph
import ExoModel
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

/// The hooks and `check`: which two states of the line each compares, and which refs it
/// watches.
extension Session {
    /// pre-commit and pre-merge-commit: HEAD (empty when unborn) against the index git is
    /// about to commit; while a merge is committed, the line is HEAD and `MERGE_HEAD`.
    public func preCommit(watching: [String]? = nil) throws(ExoError) -> [Guard.Check] {
        let repository = try requireRepository()
        let head = try repository.headCommit()
        let merging = repository.mergeHeads()
        let index = try GitSnapshot(indexOf: repository, head: head)
        admittedIndex = index
        let target = Guard.LineState(snapshot: index, label: "index", commits: (head.map { [$0] } ?? []) + merging)
        let title =
            (head.map { "HEAD \($0.short)" } ?? "an unborn branch")
            + (merging.isEmpty ? " -> the staged changes" : " -> the merge of \(merging.map(\.short).joined(separator: ", "))")
        var check = try compare(
            base: try line(head), target: target, title: title,
            watch: try watch(excluding: currentBranchRefs(repository), patterns: watching))
        check.ref = repository.headReferenceName
        check.admitted = check.ref.map { .index(ref: $0, parents: target.commits) }
        return [check]
    }

    /// pre-push: one check per pushed ref (`<local-ref> <local-oid> <remote-ref> <remote-oid>`).
    /// Deletions pass. The base is the remote's oid when known here, else the merge base
    /// with the remote's tracking branches, else empty.
    public func prePush(remote: String, refLines: [String]) throws(ExoError) -> [Guard.Check] {
        let repository = try requireRepository()
        var checks: [Guard.Check] = []
        var tracking: [ObjectID]? = nil  // read once, only when a ref line needs it
        for refLine in refLines {
            guard let parts = try Self.refLine(refLine, fields: 4, hook: "pre-push") else { continue }
            if ObjectID.isZero(parts[1]) { continue }
            let local = try repository.commit(parts[1])
            var base: ObjectID? = nil
            if !ObjectID.isZero(parts[3]), let remoteID = ObjectID(hex: parts[3]), repository.contains(remoteID) {
                base = remoteID
            } else {
                if tracking == nil { tracking = trackingBranches(remote, in: repository) }
                base = repository.mergeBase(local, line: tracking!)
            }
            checks.append(try push(of: parts[0], remoteRef: parts[2], remote: remote, base: base, target: local))
        }
        // Every ref new on a remote of which nothing is known here: an import.
        let zero = refLines.compactMap { try? Self.refLine($0, fields: 4, hook: "pre-push") }.allSatisfy {
            ObjectID.isZero($0[3])
        }
        if zero && !repository.allReferences().contains(where: { $0.name.hasPrefix("refs/remotes/\(remote)/") }) {
            for i in checks.indices { checks[i].isImport = true }
        }
        return checks
    }

    /// Under the pre-commit framework: `PRE_COMMIT_FROM_REF`/`PRE_COMMIT_TO_REF` instead of stdin.
    public func prePushFromFramework(
        remote: String, from: String, to: String, localBranch: String?,
        remoteBranch: String?
    ) throws(ExoError) -> [Guard.Check] {
        let repository = try requireRepository()
        let local = try repository.commit(to)
        var base: ObjectID? = nil
        if !from.isEmpty && !ObjectID.isZero(from), let id = try? repository.commit(from) {
            base = id
        } else {
            base = repository.mergeBase(local, line: trackingBranches(remote, in: repository))
        }
        let localRef = localBranch.map { $0.hasPrefix("refs/") ? $0 : "refs/heads/" + $0 } ?? to
        let remoteRef = remoteBranch.map { $0.hasPrefix("refs/") ? $0 : "refs/heads/" + $0 } ?? localRef
        return [try push(of: localRef, remoteRef: remoteRef, remote: remote, base: base, target: local)]
    }

    /// One pushed ref: never watched are the pushed ref, its upstream and the tracking ref
    /// of the remote branch it goes to.
    private func push(
        of localRef: String, remoteRef: String, remote: String, base: ObjectID?,
        target: ObjectID
    ) throws(ExoError) -> Guard.Check {
        let repository = try requireRepository()
        var excluded = ownRefs(of: localRef, in: repository)
        if remoteRef.hasPrefix("refs/heads/") {
            excluded.insert("refs/remotes/\(remote)/" + remoteRef.dropFirst("refs/heads/".count))
        }
        let title =
            "push of \(RefName.short(remoteRef)) " + (base.map { "\($0.short)..\(target.short)" } ?? "(new) \(target.short)")
        var check = try compare(
            base: try line(base), target: try line(target), title: title,
            watch: try watch(excluding: excluded, patterns: nil))
        check.ref = remoteRef
        // The push will move the remote-tracking ref: that is what other checks here watch.
        if remoteRef.hasPrefix("refs/heads/"), !remote.contains("/"), !remote.contains(":") {
            let tracking = "refs/remotes/\(remote)/" + remoteRef.dropFirst("refs/heads/".count)
            let old = references(repository).first(where: { $0.name == tracking })?.id
            check.admitted = .tip(ref: tracking, old: old, tip: target)
        }
        return check
    }

    /// update (server): `REF OLD NEW`. Deletions and refs outside `exo.refs` pass; a new
    /// ref is compared with its merge base with the repository's HEAD branch. `others`: the
    /// other refs of the same push at their new values (nil for a deletion).
    public func update(
        ref: String, old: String, new: String,
        others: [String: ObjectID?] = [:]
    ) throws(ExoError) -> [Guard.Check] {
        guard !ObjectID.isZero(new), checksRef(ref) else { return [] }
        let repository = try requireRepository()
        let target = try repository.commit(new)
        let base: ObjectID?
        if ObjectID.isZero(old) {
            base = try repository.headCommit().flatMap { repository.mergeBase(target, $0) }
        } else {
            base = try repository.commit(old)
        }
        let title = "push of \(RefName.short(ref)) " + (base.map { "\($0.short)..\(target.short)" } ?? "(new) \(target.short)")
        // A repository that holds no commits at all: the push is an import, which passes;
        // nothing to watch.
        let importing = references(repository).isEmpty
        var watch: Watch? = nil
        if let wide = wideWatch {
            watch = narrowed(wide, to: ref, overrides: others)
        } else if !importing {
            watch = try self.watch(excluding: [ref], overrides: others, patterns: nil)
        }
        var check = try compare(base: try line(base), target: try line(target), title: title, watch: watch)
        check.isImport = importing
        check.ref = ref
        check.admitted = .tip(ref: ref, old: ObjectID.isZero(old) ? nil : ObjectID(hex: old), tip: target)
        return [check]
    }

    /// pre-receive (server): stdin lines `<old> <new> <ref>`, the same rules, one verdict;
    /// every other ref of the push is watched at its new value.
    public func preReceive(refLines: [String]) throws(ExoError) -> [Guard.Check] {
        var updates: [(ref: String, old: String, new: String)] = []
        for refLine in refLines {
            guard let parts = try Self.refLine(refLine, fields: 3, hook: "pre-receive") else { continue }
            updates.append((parts[2], parts[0], parts[1]))
        }
        var pushed: [String: ObjectID?] = [:]
        for u in updates { pushed[u.ref] = ObjectID.isZero(u.new) ? .some(nil) : ObjectID(hex: u.new) }
        pushedTips = pushed
        // One watch of every ref the push leaves: each check's base state is its, less the
        // check's own ref (Watch+Wide.swift).
        if updates.count > 1, !references(try requireRepository()).isEmpty {
            wideWatch = try watch(excluding: [], overrides: pushed, patterns: nil)
            watchedRefs -= wideWatch?.refs.count ?? 0
        }
        // Every pushed ref is judged against every other one at its new value, however many
        // (GUARD.md): a push of many colliding branches is never let through unjudged; one
        // too large to judge within the budget is answered by the budget.
        var checks: [Guard.Check] = []
        for u in updates {
            var others = pushed
            others[u.ref] = nil
            let made = try update(ref: u.ref, old: u.old, new: u.new, others: others)
            // Each target view's lookup tables go once the ref is judged (made again for the
            // few a report speaks of): held to the end, they were half of such a push's memory.
            if updates.count > 1 { for c in made { for ws in c.workspaces { ws.diff.target.shed() } } }
            checks += made
        }
        return checks
    }

    /// The words of one stdin ref line; nil for a blank line.
    static func refLine(_ text: String, fields: Int, hook: String) throws(ExoError) -> [String]? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if parts.isEmpty { return nil }
        guard parts.count >= fields else { throw .usage("\(hook): cannot read ref line \(PythonString.repr(text))") }
        return parts
    }

    /// Whether a ref is guarded: `refs/heads/*` unless git config `exo.refs` names patterns.
    func checksRef(_ ref: String) -> Bool {
        let patterns = config?.strings("exo.refs") ?? []
        return (patterns.isEmpty ? ["refs/heads/*"] : patterns).contains { RefName.matches(ref, $0) }
    }

    private func trackingBranches(_ remote: String, in repository: Repository) -> [ObjectID] {
        let refs = repository.allReferences()
        let own = refs.filter { $0.name.hasPrefix("refs/remotes/\(remote)/") }
        return Array(Set((own.isEmpty ? refs.filter { $0.name.hasPrefix("refs/remotes/") } : own).map(\.id)))
    }

    /// A state of the line at a commit (the empty graph for none).
    func line(_ commit: ObjectID?) throws(ExoError) -> Guard.LineState {
        guard let commit else { return .empty }
        return Guard.LineState(snapshot: try snapshot(of: commit), label: commit.description, commits: [commit])
    }

    /// The branch HEAD names and its own refs elsewhere: the ref a commit goes to is not
    /// another line.
    func currentBranchRefs(_ repository: Repository) -> Set<String> {
        guard let branch = repository.headReferenceName else { return [] }
        return ownRefs(of: branch, in: repository)
    }

    /// A local branch, its upstream (`@{upstream}`) and, on every remote, the
    /// remote-tracking ref of the same name (where `@{push}` points under every
    /// `push.default` but `upstream`, whose destination is the upstream): a branch pushed
    /// under its own name is not someone else's work.
    func ownRefs(of branch: String, in repository: Repository) -> Set<String> {
        var out: Set<String> = [branch]
        if let up = repository.upstream(of: branch, config: config) { out.insert(up) }
        // The remote-tracking refs matter only to a watch; with none, no ref is listed.
        guard branch.hasPrefix("refs/heads/"), watchPatterns(nil, bare: repository.workTree == nil) != nil else { return out }
        let suffix = "/" + branch.dropFirst("refs/heads/".count)
        for ref in references(repository) where ref.name.hasPrefix("refs/remotes/") && ref.name.hasSuffix(suffix) {
            // `refs/remotes/<remote>/<branch>`, where what is left between names a remote
            // (not `refs/remotes/origin/x/<branch>`, someone's branch `x/<branch>`).
            let remote = ref.name.dropFirst("refs/remotes/".count).dropLast(suffix.count)
            if !remote.isEmpty, config?.string("remote.\(remote).url") != nil { out.insert(ref.name) }
        }
        return out
    }

    /// Compares two states of the line in every workspace either holds.
    func compare(
        base: Guard.LineState, target: Guard.LineState, title: String,
        watch: Watch?
    ) throws(ExoError) -> Guard.Check {
        var check = try Guard.compare(
            base: base, target: target, title: title,
            roots: try Guard.roots(
                configured: roots, base: base.snapshot, target: target.snapshot, cache: cache,
                knownFromBase: engine.readsDeltas),
            watch: watch, cache: cache, engine: engine, bases: baseViews)
        check.unreadable = watch?.unreadableRefs ?? []
        return check
    }
}
