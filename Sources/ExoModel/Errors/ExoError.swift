/// Every error a run reports, from every target: one enum, one case per kind of failure,
/// with the file, the value and the cause as values (never a sentence assembled by the
/// thrower). `description` is the one short line the command line prints before it exits 2;
/// it names the file (or revision, or setting) first and then the cause.
///
/// What is not here on purpose: a document's own problems (a frontmatter that is not valid
/// YAML, a broken reference) are part of the graph and of exo's output, not failures of a
/// run (`YAMLSubset.ParseError`, `Frontmatter.Fields.error`); and the pure composition of
/// configuration throws `Composition.MergeError`, which its caller names the file of and
/// turns into `.config` before it can leave a run. libgit2's return codes all pass through
/// `LibGit2.check` (Sources/ExoGit), which makes `.libgit2`.
public enum ExoError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: The workspace and its content

    /// No `.vivary/workspace.toml` or `tropo.toml` on the way up from a folder.
    case noWorkspace(from: String)
    /// Two or more thin roots on one path.
    case competingRoots([String])
    /// A thin root nested below another.
    case nestedRoot(String)
    /// A configuration file that cannot be read, parsed, or composed.
    case config(file: String, cause: String)
    /// A file that cannot be read. On disk such a document makes no node, as in tropo.
    case unreadable(file: String, cause: String)
    /// A git object the graph needs that cannot be read (missing, corrupt): the whole check
    /// fails, since what git would commit cannot be known.
    case unreadableObject(file: String, id: String, cause: String)
    /// A document whose frontmatter is not closed within `limit` bytes (git config
    /// `exo.maxFrontmatter`).
    case frontmatterTooLarge(file: String, size: Int, limit: Int)
    /// Folders nested deeper than `limit` (`SnapPath.maxDepth`): more than any checkout can
    /// hold, refused rather than walked. `file` is the folder where the walk stopped,
    /// abbreviated.
    case tooDeep(file: String, limit: Int)

    // MARK: The repository

    /// No repository where one was needed; the path is the folder searched from.
    case notARepository(String)
    /// A repository this libgit2 cannot read (SHA-256 object names).
    case unsupportedRepository(String)
    /// A revision git does not know.
    case badRevision(String)
    /// A revision that names something other than a commit (a tree, a blob).
    case notACommit(revision: String, kind: String)
    /// An index with unresolved merge conflicts.
    case unmergedIndex(file: String)
    /// A libgit2 call that failed: what was being done, and libgit2's own message.
    case libgit2(operation: String, message: String)
    /// libgit2 itself could not be loaded: the loader's reason.
    case libgit2Missing(String)

    // MARK: Settings, arguments, and files the tool writes

    /// A setting with a value it cannot take: its name (`git config exo.timeout`, `mode`),
    /// where it came from when that is not in the name, and what it takes.
    case invalidSetting(name: String, value: String, source: String?, expected: String)
    /// A bad argument or input, with where it came from.
    case usage(String)
    /// A file the tool writes (a hook, the hooks folder) that it cannot: what it was doing
    /// (`cannot write`) and the system's reason.
    case io(file: String, action: String, cause: String)
    /// A write the tool refuses to make (`install` over a foreign hook, `claim` on a
    /// symlink): the file when there is one, and why.
    case refused(file: String?, cause: String)

    /// The one line printed after `exo-guard: `.
    public var description: String {
        switch self {
        case .noWorkspace(let from):
            return "no workspace found walking up from \(from) (looked for .vivary/workspace.toml and tropo.toml)"
        case .competingRoots(let roots): return "competing thin-v0.3 roots: " + roots.joined(separator: ", ")
        case .nestedRoot(let root): return "competing nested thin-v0.3 root: \(root)"
        case .config(let file, let cause): return "\(file): \(cause)"
        case .unreadable(let file, let cause): return "\(file): cannot read: \(cause)"
        case .unreadableObject(let file, let id, let cause): return "\(file): cannot read object \(id): \(cause)"
        case .frontmatterTooLarge(let file, let size, let limit):
            return "\(file): cannot read: a document of \(Self.mebibytes(size)) whose frontmatter is not closed "
                + "within its first \(Self.mebibytes(limit)) (git config exo.maxFrontmatter)"
        case .tooDeep(let file, let limit):
            return "\(file): folders nested more than \(limit) deep, a longer path than any checkout "
                + "can hold (PATH_MAX); not read"
        case .notARepository(let path): return "not a git repository (or any parent up to /): \(path)"
        case .unsupportedRepository(let path):
            return "\(path): SHA-256 repositories are not supported (libgit2 1.5 reads SHA-1 repositories only)"
        case .badRevision(let revision):
            return "bad revision \(PythonString.repr(revision)): no such commit here (a name git does not know, "
                + "or more parents than the history has); `git log --oneline` lists the commits there are"
        case .notACommit(let revision, let kind):
            return "revision \(PythonString.repr(revision)) names a \(kind), not a commit; "
                + "give a commit, branch or tag (e.g. HEAD, main), and --root for a folder inside it"
        case .unmergedIndex(let file):
            return "the index \(file) has unresolved merge conflicts; resolve them before checking"
        case .libgit2(let operation, let message): return "\(operation): \(message)"
        case .libgit2Missing(let cause): return "cannot load libgit2 (\(cause)); install it (Debian: libgit2-1.5)"
        case .invalidSetting(let name, let value, let source, let expected):
            let from = source.map { " from \($0)" } ?? ""
            return "invalid \(name) \(PythonString.repr(value))\(from) (expected \(expected))"
        case .usage(let message): return message
        case .io(let file, let action, let cause): return "\(file): \(action): \(cause)"
        case .refused(let file, let cause): return file.map { "\($0): \(cause)" } ?? cause
        }
    }

    /// An error in the graph's content (its configuration, a document, competing roots),
    /// as opposed to a bad argument or a repository that cannot be read.
    public var isContentError: Bool {
        switch self {
        case .config, .unreadable, .unreadableObject, .frontmatterTooLarge, .tooDeep, .competingRoots, .nestedRoot:
            return true
        case .noWorkspace, .notARepository, .unsupportedRepository, .badRevision, .notACommit, .unmergedIndex, .libgit2,
            .libgit2Missing,
            .invalidSetting, .usage, .io, .refused:
            return false
        }
    }

    /// A size as a person reads it: whole mebibytes past one, else bytes.
    public static func mebibytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
