import ExoGit
import ExoGraph
import ExoModel
import ExoSnapshot

#if canImport(Glibc)
    import Glibc
#endif

/// What `exo-guard ci` compares, read from the CI's environment (GUARD.md, "In CI, on
/// hosted forges, and in agent harnesses"): the base and target commits, the refs that are
/// the line's own (never watched: the pull request's head branch, the ref checked out),
/// and a name for the report.
public struct CIPlan: Sendable, Equatable {
    /// Where it runs: `github`, `gitlab` or `git`.
    public let provider: String
    /// The event (`pull_request`, `merge_group`, `push`, `merge_request_event`, ...).
    public let event: String
    /// The base: a commit, or (to be resolved) the merge base of the target with `mergeBaseWith`.
    public let base: String?
    /// When the base is not given: the ref whose merge base with the target is the base.
    public let mergeBaseWith: String?
    /// The target commit (`HEAD` for the commit checked out).
    public let target: String
    /// The line's own refs, full names: not watched.
    public let own: Set<String>

    /// Reads the plan from `environment` (and GitHub's event payload, at
    /// `GITHUB_EVENT_PATH`); an error names what is missing.
    public static func from(_ environment: [String: String]) throws(ExoError) -> CIPlan {
        if environment["GITHUB_ACTIONS"] == "true" { return try github(environment) }
        if environment["GITLAB_CI"] == "true" { return try gitlab(environment) }
        return CIPlan(
            provider: "git", event: "local", base: nil, mergeBaseWith: "refs/remotes/origin/HEAD", target: "HEAD", own: [])
    }

    private static func github(_ env: [String: String]) throws(ExoError) -> CIPlan {
        let event = env["GITHUB_EVENT_NAME"] ?? ""
        guard let path = env["GITHUB_EVENT_PATH"], !path.isEmpty else {
            throw .usage("GITHUB_EVENT_PATH is not set: exo-guard ci reads the event's payload there")
        }
        let payload = try JSON.read(try readFile(path), source: path)
        func sha(_ value: JSON?, _ name: String) throws(ExoError) -> String {
            guard let s = value?.string, !s.isEmpty else { throw .usage("\(path): \(name) is missing from the \(event) payload") }
            return s
        }
        let remote = "refs/remotes/origin/"
        switch event {
        case "pull_request", "pull_request_target":
            let pr = payload["pull_request"]
            let base = try sha(pr?["base"]?["sha"], "pull_request.base.sha")
            var own: Set<String> = []
            if let head = pr?["head"]?["ref"]?.string { own.insert(remote + head) }
            if let number = payload["number"].flatMap(\.numberText) ?? pr?["number"].flatMap(\.numberText) {
                for r in ["pull/\(number)/merge", "pull/\(number)/head", "pr/\(number)"] {
                    own.insert("refs/remotes/" + r)
                    own.insert(remote + r)
                }
            }
            if let ref = env["GITHUB_REF"], ref.hasPrefix("refs/pull/") {
                own.insert("refs/remotes/" + ref.dropFirst("refs/".count))
            }
            return CIPlan(provider: "github", event: event, base: base, mergeBaseWith: nil, target: "HEAD", own: own)
        case "merge_group":
            let group = payload["merge_group"]
            var own: Set<String> = []
            if let head = group?["head_ref"]?.string {
                own.insert(remote + (head.hasPrefix("refs/heads/") ? String(head.dropFirst("refs/heads/".count)) : head))
            }
            return CIPlan(
                provider: "github", event: event, base: try sha(group?["base_sha"], "merge_group.base_sha"),
                mergeBaseWith: nil, target: try sha(group?["head_sha"], "merge_group.head_sha"), own: own)
        case "push":
            let before = try sha(payload["before"], "before")
            let after = try sha(payload["after"], "after")
            var own: Set<String> = []
            let branch = payload["ref"]?.string ?? env["GITHUB_REF"] ?? ""
            if branch.hasPrefix("refs/heads/") {
                own.insert(remote + branch.dropFirst("refs/heads/".count))
                own.insert(branch)
            }
            if ObjectID.isZero(before) {
                let main = payload["repository"]?["default_branch"]?.string ?? "main"
                return CIPlan(
                    provider: "github", event: event, base: nil, mergeBaseWith: remote + main, target: after, own: own)
            }
            return CIPlan(provider: "github", event: event, base: before, mergeBaseWith: nil, target: after, own: own)
        default:
            return CIPlan(
                provider: "github", event: event, base: nil, mergeBaseWith: "refs/remotes/origin/HEAD", target: "HEAD",
                own: [])
        }
    }

    private static func gitlab(_ env: [String: String]) throws(ExoError) -> CIPlan {
        let remote = "refs/remotes/origin/"
        guard let target = env["CI_COMMIT_SHA"], !target.isEmpty else { throw .usage("CI_COMMIT_SHA is not set") }
        if let base = env["CI_MERGE_REQUEST_DIFF_BASE_SHA"], !base.isEmpty {
            var own: Set<String> = []
            if let source = env["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"], !source.isEmpty {
                own.insert(remote + source)
                own.insert("refs/heads/" + source)
            }
            if let iid = env["CI_MERGE_REQUEST_IID"] { own.insert("refs/remotes/origin/merge-requests/\(iid)/head") }
            return CIPlan(
                provider: "gitlab", event: env["CI_PIPELINE_SOURCE"] ?? "merge_request_event", base: base,
                mergeBaseWith: nil, target: target, own: own)
        }
        var own: Set<String> = []
        if let branch = env["CI_COMMIT_BRANCH"] ?? env["CI_COMMIT_REF_NAME"], !branch.isEmpty {
            own.insert(remote + branch)
            own.insert("refs/heads/" + branch)
        }
        let before = env["CI_COMMIT_BEFORE_SHA"] ?? ""
        if before.isEmpty || ObjectID.isZero(before) {
            let main = env["CI_DEFAULT_BRANCH"] ?? "main"
            return CIPlan(
                provider: "gitlab", event: env["CI_PIPELINE_SOURCE"] ?? "push", base: nil, mergeBaseWith: remote + main,
                target: target, own: own)
        }
        return CIPlan(
            provider: "gitlab", event: env["CI_PIPELINE_SOURCE"] ?? "push", base: before, mergeBaseWith: nil,
            target: target, own: own)
    }

    private static func readFile(_ path: String) throws(ExoError) -> [UInt8] {
        try FileSystemSnapshot.read(
            absolute: path.hasPrefix("/") ? path : "/" + SnapPath.join(FileSystemSnapshot.currentDirectory(), path))
    }
}

extension JSON {
    /// A number's text, or a string's (a pull request number may come as either).
    var numberText: String? {
        switch self {
        case .number(let n): return n
        case .string(let s): return s
        default: return nil
        }
    }
}
