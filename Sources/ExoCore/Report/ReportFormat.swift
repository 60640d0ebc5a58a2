import ExoModel
import ExoStore

#if canImport(Glibc)
    import Glibc
#endif

/// How `check` and `ci` print their verdict (`--format`).
public enum ReportFormat: String, CaseIterable, Sendable {
    /// `github` on GitHub Actions, `codequality` (with the text report) on GitLab CI, else `text`.
    case auto
    case text
    case json
    /// The text report, one workflow command per finding, a job summary.
    case github
    /// A SARIF 2.1.0 log (GitHub code scanning).
    case sarif
    /// GitLab's Code Quality report.
    case codequality

    /// `auto` made concrete from the CI's environment.
    public func resolved(_ environment: [String: String]) -> ReportFormat {
        guard self == .auto else { return self }
        if environment["GITHUB_ACTIONS"] == "true" { return .github }
        if environment["GITLAB_CI"] == "true" { return .codequality }
        return .text
    }

    /// Whether the format is a file of its own (written to `--output`, else stdout).
    public var isFile: Bool { self == .sarif || self == .codequality }
}

/// A report written to a file (`--output`, `$GITHUB_STEP_SUMMARY`).
public enum ReportFile {
    /// Writes `text` to `path` (created, or replaced; appended to with `append`).
    public static func write(_ text: String, to path: String, append: Bool = false) throws(ExoError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw .io(file: path, action: "cannot write", cause: String(cString: strerror(errno))) }
        defer { close(fd) }
        guard FileWrite.all(fd, Array(text.utf8)[...]) else {
            throw .io(file: path, action: "cannot write", cause: String(cString: strerror(errno)))
        }
    }
}
