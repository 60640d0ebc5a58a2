import Dispatch
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// The time a hook may take (git config `exo.timeout`, seconds; `0` = no limit): when it runs
/// out the guard stops and answers in one line. A server hook rejects unless
/// `exo.onTimeout accept`; a local hook lets the commit through with a warning unless
/// `exo.onTimeout reject`. Server hooks read both from the server repository's own config.
public struct Budget: Sendable, Equatable {
    /// The limit in seconds; 0 for none.
    public let seconds: Double
    /// Whether the guard lets the commit or push through when the limit is reached.
    public let accept: Bool

    /// Where the hook runs decides the defaults: 4 s and reject on a server, 20 s and accept locally.
    public enum Place: Sendable { case server, local }

    /// Starts the clock: past the budget the process writes its one line and exits, whatever
    /// it is doing (0 when the timeout lets it through, 1 when it rejects).
    public func start(what: String, audit: Audit? = nil, started: Double = 0, linePrefix: String = "") {
        guard seconds > 0 else { return }
        let message =
            linePrefix
            + (accept
                ? "exo-guard: warning \u{2014} gave up after \(Self.format(seconds)) s (git config exo.timeout); \(what) goes through unchecked (exo.onTimeout accept)\n"
                : "exo-guard: blocked \u{2014} gave up after \(Self.format(seconds)) s (git config exo.timeout); \(what) is rejected (git config exo.onTimeout accept lets it through)\n")
        let code: Int32 = accept ? 0 : 1
        let seconds = self.seconds
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            _ = audit?.record(decision: "timeout", detail: "gave up after \(Self.format(seconds)) s", started: started)
            let bytes = Array(message.utf8)
            bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
            _exit(code)
        }
    }

    static func format(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(s) }
}

extension Session {
    /// The budget of a hook at `place`, from git config `exo.timeout` and `exo.onTimeout`.
    public func budget(_ place: Budget.Place) throws(ExoError) -> Budget {
        var seconds: Double = place == .server ? 4 : 20
        if let raw = config?.string("exo.timeout") {
            guard let v = Double(raw.trimmingWhitespace), v >= 0, v.isFinite else {
                throw .invalidSetting(
                    name: "git config exo.timeout", value: raw, source: nil, expected: "seconds, 0 for no limit")
            }
            seconds = v
        }
        var accept = place == .local
        if let raw = config?.string("exo.onTimeout") {
            switch raw.trimmingWhitespace.lowercased() {
            case "accept": accept = true
            case "reject": accept = false
            default:
                throw .invalidSetting(name: "git config exo.onTimeout", value: raw, source: nil, expected: "accept or reject")
            }
        }
        return Budget(seconds: seconds, accept: accept)
    }
}
