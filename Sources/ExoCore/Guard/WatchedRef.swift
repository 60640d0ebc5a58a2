import ExoGit

#if canImport(Glibc)
    import Glibc
#endif

/// A ref the guard watches: its full name, its tip and the tip's committer time.
public struct WatchedRef: Sendable {
    /// The full ref name (`refs/heads/agent/a`).
    public let name: String
    /// The commit the ref points at (tags peeled).
    public let tip: ObjectID
    /// The tip's committer time, in seconds since 1970.
    public let time: Int64
    /// Whether the tip is a commit or push another check admitted that has not landed yet
    /// (GUARD.md, "Taking up work is atomic"): the ref does not point there yet.
    public var pending = false

    /// Where a report says the ref's work is: its tip and date, or the admission pending.
    public var whereabouts: String {
        pending
            ? "a commit or push admitted a moment ago, not on the ref yet"
            : "tip \(tip.short), \(Self.date(time))"
    }

    /// `YYYY-MM-DD` of a time in seconds since 1970, in UTC.
    public static func date(_ t: Int64) -> String {
        var seconds = time_t(t)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }
}
