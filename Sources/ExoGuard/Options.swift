import ArgumentParser
import ExoCore
import ExoSnapshot

/// Where the graph is read from: `--root`, and the files on disk, `--staged` or `--rev`.
struct SnapshotOptions: ParsableArguments {
    @Option(
        help:
            "Where the walk up to the workspace root starts (default: the current folder). In --staged and --rev, the matching path inside the tree."
    )
    var root: String?

    @Flag(help: "Read the index git would commit (GIT_INDEX_FILE when set) instead of the files on disk.")
    var staged = false

    @Option(help: "Read the tree of a revision (anything git rev-parse takes); works in a bare repository.")
    var rev: String?

    func validate() throws {
        if staged && rev != nil { throw ValidationError("--staged and --rev cannot be used together") }
    }

    var selection: Selection {
        if staged { return .staged }
        if let rev { return .revision(rev) }
        return .worktree
    }
}

extension SnapshotOptions {
    /// The session for a read-only command: git only when the snapshot or `--branches` needs it.
    func session(branches: Bool) throws -> Session {
        try Session(repository: branches || selection != .worktree ? .required : .none, writesCache: false)
    }
}

/// exo takes its options anywhere on the line (`exo --json board` = `exo board --json`,
/// `exo --agent a claim x`); so does exo-guard, for the commands it shares with exo and
/// `check`: options given before the subcommand are moved after its name.
enum GlobalOptions {
    /// The commands whose options may stand before them.
    static let commands: Set<String> = ["conflicts", "board", "roles", "claim", "check"]
    /// Options that take a value.
    static let valued: Set<String> = ["--root", "--agent"]
    /// Options that take none.
    static let flags: Set<String> = ["--json"]

    /// `arguments` with the global options before a known subcommand moved after it;
    /// unchanged when anything else stands before the subcommand.
    static func reordered(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if flags.contains(a) {
                moved.append(a)
                i += 1
            } else if valued.contains(name) && a.contains("=") {
                moved.append(a)
                i += 1
            } else if valued.contains(a), i + 1 < arguments.count {
                moved += [a, arguments[i + 1]]
                i += 2
            } else {
                break
            }
        }
        guard !moved.isEmpty, i < arguments.count, commands.contains(arguments[i]) else { return arguments }
        return [arguments[i]] + moved + arguments[(i + 1)...]
    }
}

/// `--format` and `--output`, for `check` and `ci`.
struct ReportFormatOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "auto, text, json, github, sarif or codequality (default: text for check, auto for ci).",
            discussion: "auto: github on GitHub Actions, codequality (plus the text report) on GitLab CI, else text."),
        completion: .list(ReportFormat.allCases.map(\.rawValue))) var format: String?
    @Option(help: "Write the sarif or codequality report to this file (default: stdout).", completion: .file())
    var output: String?

    func resolved(default fallback: ReportFormat, environment: [String: String]) throws -> ReportFormat {
        guard let format else { return fallback.resolved(environment) }
        guard let f = ReportFormat(rawValue: format) else {
            throw ValidationError("--format takes one of: " + ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return f.resolved(environment)
    }
}
