import Dispatch

/// A result made on its own thread; `wait` returns it (a cache write, an entry's bytes).
final class Background<Result>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: Result?

    init(_ body: @escaping () -> Result) {
        nonisolated(unsafe) let body = body
        group.enter()
        DispatchQueue.global().async {
            self.result = body()
            self.group.leave()
        }
    }

    func wait() -> Result {
        group.wait()
        return result!
    }
}

/// A write running on its own thread.
typealias BackgroundWrite = Background<(DiskParseStore.OnDisk, [DiskParseStore.Entry])?>
