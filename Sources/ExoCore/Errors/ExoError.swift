/// Every error the library reports. Each description is one short line that names the
/// file (or revision) and the cause; the command line prints it and exits 2.
public enum ExoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No `.vivary/workspace.toml` or `tropo.toml` on the way up from a folder.
    case noWorkspace(from: String)
    /// Two thin roots on one path, or a thin root nested below another.
    case competingRoots(String)
    /// A configuration file that cannot be read, parsed, or composed.
    case config(file: String, cause: String)
    /// A file the graph needs that cannot be read.
    case unreadable(file: String, cause: String)
    /// A repository, revision or index problem.
    case git(String)
    /// A bad argument or setting, with where it came from.
    case usage(String)
    /// `claim` refused to write.
    case claim(String)

    public var description: String {
        switch self {
        case .noWorkspace(let from):
            return "no workspace found walking up from \(from) (looked for .vivary/workspace.toml and tropo.toml)"
        case .competingRoots(let detail): return detail
        case .config(let file, let cause): return "\(file): \(cause)"
        case .unreadable(let file, let cause): return "\(file): cannot read: \(cause)"
        case .git(let message): return message
        case .usage(let message): return message
        case .claim(let message): return message
        }
    }

    /// An error in the graph's content (its configuration, a document, competing roots),
    /// as opposed to a bad argument or a repository that cannot be read.
    public var isContentError: Bool {
        switch self {
        case .config, .unreadable, .competingRoots: return true
        case .noWorkspace, .git, .usage, .claim: return false
        }
    }
}
