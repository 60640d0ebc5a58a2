#if canImport(Glibc)
import Glibc
#endif

/// The four hooks: which snapshots each compares.
public struct Hooks {
    public let repository: Repository
    public let config: GitConfig
    public let roots: [String]?
    public let cache: ParseCache

    /// Hooks on `repository`, with the cache under its git dir unless that is turned off.
    public init(repository: Repository) throws(ExoError) {
        self.repository = repository
        self.config = try repository.config()
        self.roots = try Guard.configuredRoots(config)
        self.cache = ParseCache(store: DiskParseStore.forRepository(repository, config: config))
    }

    /// The mode: `--mode` > `EXO_GUARD_MODE` > git config `exo.mode` > block.
    public func mode(flag: String?) throws(ExoError) -> GuardMode {
        try GuardMode.resolve(flag: flag, environment: repository.environment) { config.string("exo.mode") }
    }

    private func snapshot(_ commit: ObjectID?, label: String) throws(ExoError) -> Snapshot {
        guard let commit else { return EmptySnapshot() }
        return try GitSnapshot(repository: repository, commit: commit, label: label)
    }

    private func compare(base: ObjectID?, target: Snapshot, targetLabel: String) throws(ExoError) -> Guard.Check {
        let baseLabel = base?.description ?? "empty"
        return try Guard.compare(base: try snapshot(base, label: baseLabel), baseLabel: baseLabel,
                                 target: target, targetLabel: targetLabel, roots: roots, cache: cache)
    }

    private func compare(base: ObjectID?, target: ObjectID) throws(ExoError) -> Guard.Check {
        try compare(base: base, target: try snapshot(target, label: target.description), targetLabel: target.description)
    }

    /// pre-commit: HEAD (empty when unborn) against the index git is about to commit.
    public func preCommit() throws(ExoError) -> [Guard.Check] {
        let head = try repository.headCommit()
        return [try compare(base: head, target: try GitSnapshot(indexOf: repository, head: head), targetLabel: "index")]
    }

    /// pre-push: one check per pushed ref (`<local-ref> <local-oid> <remote-ref> <remote-oid>`).
    /// Deletions pass. The base is the remote's oid when known here, else the merge base
    /// with the remote's tracking branches, else empty.
    public func prePush(remote: String, lines: [String]) throws(ExoError) -> [Guard.Check] {
        var checks: [Guard.Check] = []
        var tracking: [ObjectID]? = nil  // read once, only when a line needs it
        for line in lines {
            guard let parts = try Self.refLine(line, fields: 4, hook: "pre-push") else { continue }
            if ObjectID.isZero(parts[1]) { continue }
            let local = try repository.commit(parts[1])
            var base: ObjectID? = nil
            if !ObjectID.isZero(parts[3]), let remoteID = ObjectID(hex: parts[3]), repository.contains(remoteID) {
                base = remoteID
            } else {
                if tracking == nil { tracking = trackingBranches(remote) }
                base = closestMergeBase(local, candidates: tracking!)
            }
            checks.append(try compare(base: base, target: local))
        }
        return checks
    }

    /// Under the pre-commit framework: `PRE_COMMIT_FROM_REF`/`PRE_COMMIT_TO_REF` instead of stdin.
    public func prePushFromFramework(remote: String, from: String, to: String) throws(ExoError) -> [Guard.Check] {
        let local = try repository.commit(to)
        var base: ObjectID? = nil
        if !from.isEmpty && !ObjectID.isZero(from), let id = try? repository.commit(from) {
            base = id
        } else {
            base = closestMergeBase(local, candidates: trackingBranches(remote))
        }
        return [try compare(base: base, target: local)]
    }

    /// update (server): `REF OLD NEW`. Deletions and refs outside `exo.refs` pass; a new
    /// ref is compared with its merge base with the repository's HEAD branch.
    public func update(ref: String, old: String, new: String) throws(ExoError) -> [Guard.Check] {
        guard !ObjectID.isZero(new), checksRef(ref) else { return [] }
        let target = try repository.commit(new)
        let base: ObjectID?
        if ObjectID.isZero(old) {
            base = try repository.headCommit().flatMap { repository.mergeBase(target, $0) }
        } else {
            base = try repository.commit(old)
        }
        return [try compare(base: base, target: target)]
    }

    /// pre-receive (server): stdin lines `<old> <new> <ref>`, the same rules, one verdict.
    public func preReceive(lines: [String]) throws(ExoError) -> [Guard.Check] {
        var checks: [Guard.Check] = []
        for line in lines {
            guard let parts = try Self.refLine(line, fields: 3, hook: "pre-receive") else { continue }
            checks += try update(ref: parts[2], old: parts[0], new: parts[1])
        }
        return checks
    }

    /// The words of one stdin ref line; nil for a blank line.
    private static func refLine(_ line: String, fields: Int, hook: String) throws(ExoError) -> [String]? {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if parts.isEmpty { return nil }
        guard parts.count >= fields else { throw .usage("\(hook): cannot read ref line \(PythonString.repr(line))") }
        return parts
    }

    /// Whether a ref is guarded: `refs/heads/*` unless git config `exo.refs` names patterns.
    func checksRef(_ ref: String) -> Bool {
        let patterns = config.strings("exo.refs")
        return (patterns.isEmpty ? ["refs/heads/*"] : patterns).contains { fnmatch($0, ref, 0) == 0 }
    }

    private func trackingBranches(_ remote: String) -> [ObjectID] {
        let refs = repository.allReferences()
        let own = refs.filter { $0.name.hasPrefix("refs/remotes/\(remote)/") }
        return (own.isEmpty ? refs.filter { $0.name.hasPrefix("refs/remotes/") } : own).map(\.id)
    }

    /// The merge base of `commit` with each candidate, keeping the nearest one.
    private func closestMergeBase(_ commit: ObjectID, candidates: [ObjectID]) -> ObjectID? {
        var best: ObjectID? = nil
        for c in Set(candidates) {
            guard let m = repository.mergeBase(commit, c) else { continue }
            if let b = best {
                if b != m, repository.mergeBase(b, m) == b { best = m }
            } else {
                best = m
            }
        }
        return best
    }
}
