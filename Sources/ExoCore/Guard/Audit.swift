import ExoGit

#if canImport(Glibc)
    import Glibc
#endif

/// The audit log of guard decisions: git config `exo.auditLog PATH` (a server hook reads it
/// from the server repository's config only), one JSON line per decision of every hook and
/// `check` (per ref of a push), appended with one `write` on an `O_APPEND` descriptor so
/// that concurrent hooks never interleave. With git's trace2 event target set
/// (`GIT_TRACE2_EVENT`), the decision is also written there as a trace2 `data_json` event.
/// A failed write never changes the verdict: it is said in one line.
public struct Audit: Sendable {
    /// The log file, absolute; nil when no log is kept.
    let path: String?
    /// The trace2 event target (an absolute path), nil when unset.
    let trace2: String?
    let sid: String
    let fields: [(String, JSON)]

    /// The log the session's config names, with what every line carries: the hook, the
    /// repository, the actor, the version, where the mode came from, the push options.
    public init(session: Session, hook: String) {
        let env = session.environment
        var path = session.config?.string("exo.auditLog").flatMap { $0.isEmpty ? nil : $0 }
        if let p = path, !p.hasPrefix("/"), let repository = session.repository {
            path = repository.commonDir + "/" + p
        }
        self.path = path
        trace2 = env["GIT_TRACE2_EVENT"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        sid = (env["GIT_TRACE2_PARENT_SID"].map { $0 + "/" } ?? "") + "exo-guard-\(getpid())"
        let actor =
            ["GL_USERNAME", "GITEA_PUSHER_NAME", "GITHUB_USER_LOGIN", "REMOTE_USER", "USER", "LOGNAME"]
            .lazy.compactMap { env[$0].flatMap { $0.isEmpty ? nil : $0 } }.first ?? Self.userName()
        let count = Int(env["GIT_PUSH_OPTION_COUNT"] ?? "") ?? 0
        let options = (0..<max(0, min(count, 1000))).compactMap { env["GIT_PUSH_OPTION_\($0)"] }
        fields = [
            ("hook", .string(hook)),
            ("repository", .string(session.repository?.commonDir ?? "")),
            ("actor", .string(actor)),
            ("version", .string(BuildInfo.version)),
            ("mode_source", .string(session.modeSource)),
            ("push_options", .strings(options)),
        ]
    }

    /// Whether anything is written at all.
    public var isOn: Bool { path != nil || trace2 != nil }

    /// Records one decision per check of `verdict` (one line with no ref when there is none).
    /// Returns the line to print when a write failed.
    public func record(_ verdict: Guard.Verdict, started: Double) -> String? {
        guard isOn else { return nil }
        let checks = verdict.checks.isEmpty ? [nil] : verdict.checks.map { Optional($0) }
        var failure: String? = nil
        for check in checks {
            let one = Guard.Verdict(
                mode: verdict.mode, checks: check.map { [$0] } ?? [], strict: verdict.strict,
                targetError: verdict.targetError)
            guard case .object(let members) = GuardReport(verdict: one, bypass: nil).members else { continue }
            if let f = write(members, ref: check?.ref, started: started) { failure = f }
        }
        return failure
    }

    /// Records a decision the guard reached without a verdict: `timeout` or `error`.
    public func record(decision: String, detail: String, started: Double) -> String? {
        guard isOn else { return nil }
        return write([("decision", .string(decision)), ("error", .string(detail))], ref: nil, started: started)
    }

    private func write(_ members: [(String, JSON)], ref: String?, started: Double) -> String? {
        let now = Self.now()
        let line: [(String, JSON)] =
            [("time", .string(Self.iso(now)))] + members
            + [("ref", ref.map(JSON.string) ?? .null), ("duration_ms", .number(String(Int((now - started) * 1000))))]
            + fields
        var failure: String? = nil
        if let path, let f = Self.append(JSON.object(line).compact + "\n", to: path) {
            failure = "exo-guard: cannot write the audit log \(path): \(f) (the verdict stands)"
        }
        if let trace2 {
            let event: [(String, JSON)] = [
                ("event", .string("data_json")), ("sid", .string(sid)), ("thread", .string("main")),
                ("time", .string(Self.iso(now))), ("file", .string("exo-guard")), ("line", .number("0")),
                ("repo", .number("1")), ("t_abs", .number(String(now - started))), ("t_rel", .number(String(now - started))),
                ("nesting", .number("1")), ("category", .string("exo-guard")), ("key", .string("decision")),
                ("value", .object(line)),
            ]
            _ = Self.append(JSON.object(event).compact + "\n", to: trace2)
        }
        return failure
    }

    /// Appends `text` with one `write` on an `O_APPEND` descriptor; the cause when it failed.
    static func append(_ text: String, to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 { return String(cString: strerror(errno)) }
        return n == bytes.count ? nil : "short write"
    }

    /// Seconds on a clock that never goes back, for durations.
    public static func monotonic() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Python's `datetime.now(timezone.utc).isoformat()` with `Z`: microseconds unless zero.
    static func isoOffset(_ seconds: Double) -> String {
        let full = iso(seconds)
        return full.hasSuffix(".000000Z") ? String(full.dropLast(8)) + "Z" : full
    }

    /// Seconds since the epoch, with microseconds.
    public static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// `2026-11-30T22:08:12.123456Z`, as trace2 writes times.
    static func iso(_ seconds: Double) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let micros = Int((seconds - Double(Int(seconds))) * 1e6)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(micros, 6))Z"
    }
}

extension Audit {
    /// The name the password database gives the process's user (a hook run by sshd or a
    /// daemon may have no USER), else its uid.
    static func userName() -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>? = nil
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(getuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return "uid \(getuid())" }
        return String(cString: name)
    }
}
