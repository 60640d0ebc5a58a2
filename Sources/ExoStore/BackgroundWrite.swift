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

/// An entry's bytes made on their own thread; `wait` returns them.
final class Aside: @unchecked Sendable {
    private let group = DispatchGroup()
    private var bytes: [UInt8] = []

    init(_ make: @escaping @Sendable () -> [UInt8]) {
        group.enter()
        DispatchQueue.global().async {
            self.bytes = make()
            self.group.leave()
        }
    }

    func wait() -> [UInt8] {
        group.wait()
        return bytes
    }
}
