import Dispatch
import ExoGit
import ExoModel

#if canImport(Glibc)
    import Glibc
#endif

/// What a hook may spend: time (git config `exo.timeout`, seconds; `0` = no limit) and, on a
/// server, memory (`exo.maxMemory`, MiB of the process's own anonymous memory; `0` = no
/// limit). When either runs out the guard stops and answers in one line. A server hook
/// rejects unless `exo.onTimeout accept`; a local hook lets the commit through with a warning
/// unless `exo.onTimeout reject`. Server hooks read all three from the server repository's
/// own config.
///
/// Memory needs a limit of its own: what a push makes the guard hold can grow faster than
/// the time it takes (a few identical 800 KB documents, each pointing at the same 100,000
/// targets, took 1.3 GB within 4 s).
public struct Budget: Sendable, Equatable {
    /// The limit in seconds; 0 for none.
    public let seconds: Double
    /// Whether the guard lets the commit or push through when the limit is reached.
    public let accept: Bool
    /// The memory limit in bytes; 0 for none.
    public var memory = 0

    /// Where the hook runs decides the defaults: 4 s, 400 MiB and reject on a server; 20 s,
    /// no memory limit and accept locally.
    public enum Place: Sendable { case server, local }

    /// Starts the clock and the memory watch: past either budget the process writes its one
    /// line and exits, whatever it is doing (0 when the budget lets it through, 1 when it
    /// rejects).
    public func start(what: String, audit: Audit? = nil, started: Double = 0, linePrefix: String = "") {
        let accept = self.accept
        @Sendable func stop(_ reason: String, setting: String, decision: String) -> Never {
            let message =
                linePrefix
                + (accept
                    ? "exo-guard: warning \u{2014} \(reason) (git config \(setting)); \(what) goes through unchecked (exo.onTimeout accept)\n"
                    : "exo-guard: blocked \u{2014} \(reason) (git config \(setting)); \(what) is rejected (git config exo.onTimeout accept lets it through)\n")
            _ = audit?.record(decision: decision, detail: reason, started: started)
            let bytes = Array(message.utf8)
            bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
            _exit(accept ? 0 : 1)
        }
        if seconds > 0 {
            let seconds = self.seconds
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                stop("gave up after \(Self.format(seconds)) s", setting: "exo.timeout", decision: "timeout")
            }
        }
        if memory > 0 {
            let limit = memory
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now(), repeating: .milliseconds(10), leeway: .milliseconds(2))
            timer.setEventHandler {
                guard let held = Self.anonymousMemory(), held > limit else { return }
                stop("stopped at \(limit >> 20) MiB of memory", setting: "exo.maxMemory", decision: "memory")
            }
            timer.resume()
            Self.watch = timer
        }
    }

    /// The memory watch's timer, kept for the life of the process (set once, by the hook's
    /// thread, before any other reads it).
    nonisolated(unsafe) private static var watch: (any DispatchSourceTimer)?

    /// The process's resident memory less what files back (mapped packs and the binary):
    /// `/proc/self/statm`'s resident less shared pages, in bytes; nil where it cannot be read.
    static func anonymousMemory() -> Int? {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " ")).compactMap { Int(String(decoding: $0, as: UTF8.self)) }
        guard fields.count >= 3 else { return nil }
        return (fields[1] - fields[2]) * Int(sysconf(Int32(_SC_PAGESIZE)))
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
                    name: "git config exo.timeout", value: raw, source: config?.origin("exo.timeout"),
                    expected: "seconds, 0 for no limit")
            }
            seconds = v
        }
        var accept = place == .local
        if let raw = config?.string("exo.onTimeout") {
            switch raw.trimmingWhitespace.lowercased() {
            case "accept": accept = true
            case "reject": accept = false
            default:
                throw .invalidSetting(
                    name: "git config exo.onTimeout", value: raw, source: config?.origin("exo.onTimeout"),
                    expected: "accept or reject")
            }
        }
        var budget = Budget(seconds: seconds, accept: accept)
        budget.memory = place == .server ? 400 << 20 : 0
        if let mib = try integer("exo.maxMemory", least: 0, expected: "MiB, 0 for no limit") {
            budget.memory = mib << 20
        }
        return budget
    }
}
