import Dispatch
import ExoModel
import ExoSnapshot
import ExoStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Documents read and parsed on every core while the walk is still finding them: the walk
/// hands over each folder's files as it lists them, helper threads read and parse them,
/// and when the walk is done its thread reads what is left with them. A file that cannot
/// be read here is left to the walk's last step, which reports it as it always does.
///
/// Helpers start only once there are enough files to be worth a thread; with fewer, the
/// walk reads them itself.
final class Prefetch: Sendable {
    struct Parsed: Sendable {
        let path: String
        let key: CacheKey?
        let fields: Frontmatter.Fields
        /// The cache's byte form of `fields`, made on the helper's thread (content-keyed files only).
        let encoded: [UInt8]?
    }

    private struct State {
        var files: [(path: String, key: CacheKey?)] = []
        var next = 0
        var closed = false
        var started = false
        /// Each helper's results as it handed them over (not joined: no copy of each).
        var results: [[Parsed]] = []
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchGroup()
    private let readers: @Sendable () -> (any ConcurrentReader)?
    private let encode: Bool
    /// A longer document is left to the walk, which refuses it when its frontmatter is too long.
    private let maxFrontmatter: Int
    private let helpers: Int
    /// The probes of the task that made it: its helpers count in them.
    private let probes = Probe.current
    static let threshold = 64
    static let batch = 16

    init(readers: @escaping @Sendable () -> (any ConcurrentReader)?, encode: Bool, maxFrontmatter: Int) {
        self.readers = readers
        self.encode = encode
        self.maxFrontmatter = maxFrontmatter
        helpers = max(0, min(3, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 1))
    }

    /// Files the walk found that no cache holds.
    func add(_ files: [(path: String, key: CacheKey?)]) {
        guard !files.isEmpty, helpers > 0 else { return }
        let start = state.withLock { s -> Bool in
            s.files += files
            guard !s.started, s.files.count >= Self.threshold else { return false }
            s.started = true
            return true
        }
        if start {
            for _ in 0..<helpers {
                done.enter()
                DispatchQueue.global().async {
                    Probe.counting(in: self.probes) { self.work() }
                    self.done.leave()
                }
            }
        }
        for _ in 0..<helpers { wake.signal() }
    }

    /// The walk is done: reads what is left, waits for the helpers, and returns every file
    /// parsed, in one list per helper; nil when the helpers never started.
    func finish() -> [[Parsed]]? {
        let started = state.withLock { s -> Bool in
            s.closed = true
            return s.started
        }
        guard started else { return nil }
        for _ in 0..<helpers { wake.signal() }
        work()
        done.wait()
        return state.withLock { $0.results }
    }

    /// The walk failed: the helpers stop without reading what is left.
    func cancel() {
        let started = state.withLock { s -> Bool in
            s.closed = true
            s.next = s.files.count
            return s.started
        }
        guard started else { return }
        for _ in 0..<helpers { wake.signal() }
        done.wait()
    }

    private enum Job {
        case files([(path: String, key: CacheKey?)])
        case wait, stop
    }

    private func work() {
        guard let reader = readers() else { return }
        var parsed: [Parsed] = []
        defer {
            if !parsed.isEmpty {
                Probe.readAhead.hit(parsed.count)
                state.withLock { $0.results.append(parsed) }
            }
        }
        while true {
            let job = state.withLock { s -> Job in
                if s.next < s.files.count {
                    let end = min(s.files.count, s.next + Self.batch)
                    defer { s.next = end }
                    return .files(Array(s.files[s.next..<end]))
                }
                return s.closed ? .stop : .wait
            }
            switch job {
            case .stop:
                return
            case .wait:
                wake.wait()
            case .files(let files):
                for (path, key) in files {
                    guard let bytes = reader.read(path, key: key), bytes.count <= maxFrontmatter else { continue }
                    let fields = Frontmatter.fields(of: bytes)
                    parsed.append(
                        Parsed(
                            path: path, key: key, fields: fields,
                            encoded: encode && key != nil ? CacheCoding.encode(fields) : nil))
                }
            }
        }
    }
}
