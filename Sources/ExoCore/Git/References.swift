import CGit2

#if canImport(Glibc)
    import Glibc
#endif

/// Refs as the watch across branches reads them: names and tips, symbolic or not, the
/// committer date of a commit, a branch's upstream, and `MERGE_HEAD`.
extension Repository {
    /// A ref that points at an object directly (symbolic refs are left out: their target
    /// counts once, under its own name).
    public struct Reference: Sendable {
        public let name: String
        public let id: ObjectID
    }

    /// Every direct ref, in the order libgit2 lists them.
    public func directReferences() -> [Reference] {
        allReferences().compactMap { ref in
            var handle: OpaquePointer? = nil
            guard git.reference_lookup(&handle, pointer, ref.name) == 0 else { return nil }
            defer { git.reference_free(handle) }
            return git.reference_type(handle) == GIT_REFERENCE_DIRECT ? Reference(name: ref.name, id: ref.id) : nil
        }
    }

    /// The commit an object peels to (a tag's commit), nil for anything else.
    public func peeledCommit(_ id: ObjectID) -> ObjectID? {
        try? commit(id.description)
    }

    /// The committer time of a commit, in seconds since the epoch.
    public func committerTime(_ id: ObjectID) -> Int64? {
        var commit: OpaquePointer? = nil
        var raw = id.raw
        guard git.commit_lookup(&commit, pointer, &raw) == 0 else { return nil }
        defer { git.commit_free(commit) }
        return Int64(git.commit_time(commit))
    }

    /// A digest of `text` (git's blob hash), for cache keys made of commit ids.
    public func digest(_ text: String) -> CacheKey? {
        var oid = git_oid()
        var bytes = Array(text.utf8)
        guard git.odb_hash(&oid, &bytes, bytes.count, GIT_OBJECT_BLOB) == 0 else { return nil }
        return ObjectID(oid).cacheKey
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
