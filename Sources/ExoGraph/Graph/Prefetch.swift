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
        /// Each batch read: where its files start among `files`, and one result for each
        /// (nil: not read here, left to the walk).
        var batches: [(start: Int, parsed: [Parsed?])] = []
    }

    /// What the helpers read, by each file's place in the order the walk added them
    /// (`add`'s answer): the walk's last step takes each document's fields from here, not
    /// through the cache's tables.
    struct Results {
        private let batches: [[Parsed?]]
        /// For each file added, its batch and its place in it.
        private let place: [(batch: Int32, offset: Int32)]

        fileprivate init(_ batches: [(start: Int, parsed: [Parsed?])], files: Int) {
            var place = [(batch: Int32, offset: Int32)](repeating: (-1, -1), count: files)
            for (b, batch) in batches.enumerated() {
                for k in batch.parsed.indices { place[batch.start + k] = (Int32(b), Int32(k)) }
            }
            self.batches = batches.map(\.parsed)
            self.place = place
        }

        /// The file added `slot`-th, when a helper read it.
        subscript(slot: Int) -> Parsed? {
            guard slot >= 0 && slot < place.count, place[slot].batch >= 0 else { return nil }
            return batches[Int(place[slot].batch)][Int(place[slot].offset)]
        }
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

    /// Files the walk found that no cache holds; the place of the first of them in the order
    /// of all added (`Results`), nil when nothing is read ahead (one core).
    @discardableResult
    func add(_ files: [(path: String, key: CacheKey?)]) -> Int? {
        guard !files.isEmpty, helpers > 0 else { return nil }
        let (first, start) = state.withLock { s -> (Int, Bool) in
            let first = s.files.count
            s.files += files
            guard !s.started, s.files.count >= Self.threshold else { return (first, false) }
            s.started = true
            return (first, true)
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
        return first
    }

    /// The walk is done: reads what is left, waits for the helpers, and returns every file
    /// read; nil when the helpers never started.
    func finish() -> Results? {
        let started = state.withLock { s -> Bool in
            s.closed = true
            return s.started
        }
        guard started else { return nil }
        for _ in 0..<helpers { wake.signal() }
        work()
        done.wait()
        return state.withLock { Results($0.batches, files: $0.files.count) }
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
        case files(start: Int, [(path: String, key: CacheKey?)])
        case wait, stop
    }

    private func work() {
        guard let reader = readers() else { return }
        var read = 0
        var batches: [(start: Int, parsed: [Parsed?])] = []
        defer {
            if !batches.isEmpty {
                Probe.readAhead.hit(read)
                state.withLock { $0.batches += batches }
            }
        }
        while true {
            let job = state.withLock { s -> Job in
                if s.next < s.files.count {
                    let end = min(s.files.count, s.next + Self.batch)
                    defer { s.next = end }
                    return .files(start: s.next, Array(s.files[s.next..<end]))
                }
                return s.closed ? .stop : .wait
            }
            switch job {
            case .stop:
                return
            case .wait:
                wake.wait()
            case .files(let start, let files):
                var parsed: [Parsed?] = []
                parsed.reserveCapacity(files.count)
                for (path, key) in files {
                    guard let bytes = reader.read(path, key: key), bytes.count <= maxFrontmatter else {
                        parsed.append(nil)
                        continue
                    }
                    let fields = Frontmatter.fields(of: bytes)
                    parsed.append(
                        Parsed(
                            path: path, key: key, fields: fields,
                            encoded: encode && key != nil ? CacheCoding.encode(fields) : nil))
                    read += 1
                }
                batches.append((start, parsed))
            }
        }
    }
}
