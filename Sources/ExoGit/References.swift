import CGit2
import ExoSnapshot
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// Refs as the watch across branches reads them: names and tips, symbolic or not, the
/// committer date of a commit, a branch's upstream, and `MERGE_HEAD`.
extension Repository {
    /// A ref that points at an object directly (symbolic refs are left out: their target
    /// counts once, under its own name).
    public struct Reference: Sendable, Hashable {
        /// The full ref name.
        public let name: String
        /// The object it points at.
        public let id: ObjectID

        /// A ref named `name` at `id`.
        public init(name: String, id: ObjectID) {
            self.name = name
            self.id = id
        }
    }

    /// Every direct ref, in the order libgit2 lists them.
    public func directReferences() -> [Reference] {
        allReferences().compactMap { ref in
            LibGit2.withFound(
                create: { git.reference_lookup(&$0, pointer, ref.name) }, free: git.reference_free,
                use: {
                    git.reference_type($0) == GIT_REFERENCE_DIRECT ? Reference(name: ref.name, id: ref.id) : nil
                })
        }
    }

    /// The commit an object peels to (a tag's commit), nil for anything else.
    public func peeledCommit(_ id: ObjectID) -> ObjectID? {
        try? commit(id.description)
    }

    /// The ref a symbolic ref points at (`refs/remotes/origin/HEAD` -> `refs/remotes/origin/main`).
    public func symbolicTarget(_ name: String) -> String? {
        LibGit2.withFound(
            create: { git.reference_lookup(&$0, pointer, name) }, free: git.reference_free,
            use: { ref in
                guard git.reference_type(ref) == GIT_REFERENCE_SYMBOLIC, let target = git.reference_symbolic_target(ref) else {
                    return nil
                }
                return String(cString: target)
            })
    }

    /// The commits that are a parent of some commit reachable from `tips`: the tips among
    /// them are exactly those another tip descends from. One walk for all the tips, going
    /// back only through commits dated `since` or later (a descendant is committed after its
    /// ancestors, clock skew aside).
    public func parents(reachableFrom tips: [ObjectID], since: Int64) -> Set<ObjectID> {
        var parents = Set<ObjectID>()
        var seen = Set<ObjectID>()
        var pending = tips
        while let id = pending.popLast() {
            guard seen.insert(id).inserted else { continue }
            var raw = id.raw
            let next: [ObjectID]? = LibGit2.withFound(
                create: { git.commit_lookup(&$0, pointer, &raw) }, free: git.commit_free,
                use: { commit in
                    guard Int64(git.commit_time(commit)) >= since else { return [] }
                    return (0..<git.commit_parentcount(commit)).compactMap { n in
                        git.commit_parent_id(commit, n).map { ObjectID($0) }
                    }
                })
            for p in next ?? [] {
                parents.insert(p)
                pending.append(p)
            }
        }
        return parents
    }

    /// Whether `commit` descends from `ancestor` (a commit is not its own descendant).
    public func descends(_ commit: ObjectID, from ancestor: ObjectID) -> Bool {
        var c = commit.raw
        var a = ancestor.raw
        return git.graph_descendant_of(pointer, &c, &a) == 1
    }

    /// The committer time of a commit, in seconds since the epoch.
    public func committerTime(_ id: ObjectID) -> Int64? {
        var raw = id.raw
        return LibGit2.withFound(
            create: { git.commit_lookup(&$0, pointer, &raw) }, free: git.commit_free,
            use: {
                Int64(git.commit_time($0))
            })
    }

    /// A digest of `text` (git's blob hash), for cache keys made of commit ids.
    public func digest(_ text: String) -> CacheKey? {
        LibGit2.blobHash(text)?.cacheKey
    }

    /// The same digest of bytes.
    public func digest(bytes: [UInt8]) -> CacheKey? {
        var bytes = bytes
        return LibGit2.hash(&bytes, as: GIT_OBJECT_BLOB)?.cacheKey
    }

    /// The commits a merge in progress brings in (`MERGE_HEAD`, one per line).
    public func mergeHeads() -> [ObjectID] {
        guard let text = FileSystemPath.readText(gitDir + "/MERGE_HEAD") else { return [] }
        return text.split(whereSeparator: { $0 == "\n" || $0 == " " }).compactMap { ObjectID(hex: String($0)) }
    }

    /// The upstream of a local branch (`branch.NAME.remote` and `.merge`), as a ref name here.
    public func upstream(of branch: String, config: GitConfig?) -> String? {
        guard branch.hasPrefix("refs/heads/"), let config else { return nil }
        let name = String(branch.dropFirst("refs/heads/".count))
        guard let remote = config.string("branch.\(name).remote"), let merge = config.string("branch.\(name).merge")
        else { return nil }
        if remote == "." { return merge }
        guard merge.hasPrefix("refs/heads/") else { return nil }
        return "refs/remotes/\(remote)/" + merge.dropFirst("refs/heads/".count)
    }

    /// The merge base of `commit` with a line of work made of several commits (HEAD and
    /// `MERGE_HEAD`): the nearest of its merge bases with each; nil when there is none.
    public func mergeBase(_ commit: ObjectID, line: [ObjectID]) -> ObjectID? {
        var best: ObjectID? = nil
        for c in line {
            guard let m = mergeBase(commit, c) else { continue }
            if let b = best {
                if b != m, mergeBase(b, m) == b { best = m }
            } else {
                best = m
            }
        }
        return best
    }
}

extension ObjectID {
    /// The first seven digits, as git abbreviates.
    public var short: String { String(description.prefix(7)) }
}

/// Ref names as people read them.
public enum RefName {
    /// `refs/heads/x` -> `x`, `refs/remotes/origin/x` -> `origin/x`, `refs/tags/t` -> `t`.
    public static func short(_ name: String) -> String {
        for prefix in ["refs/heads/", "refs/remotes/", "refs/tags/"] where name.hasPrefix(prefix) {
            return String(name.dropFirst(prefix.count))
        }
        return name
    }

    /// Whether a ref name matches a pattern as git config patterns do (`*` crosses `/`).
    public static func matches(_ name: String, _ pattern: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}
