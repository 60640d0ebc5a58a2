import Dispatch

/// A write running on its own thread; `wait` returns its result.
final class BackgroundWrite: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: (DiskParseStore.OnDisk, [DiskParseStore.Entry])?

    init(_ body: @escaping () -> (DiskParseStore.OnDisk, [DiskParseStore.Entry])?) {
        nonisolated(unsafe) let body = body
        group.enter()
        DispatchQueue.global().async {
            self.result = body()
            self.group.leave()
        }
    }

    func wait() -> (DiskParseStore.OnDisk, [DiskParseStore.Entry])? {
        group.wait()
        return result
    }
}
