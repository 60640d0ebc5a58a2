import Synchronization

/// One value an engine makes for a view when it first needs it, kept while the view lives
/// (the fast engine's index of targets, its count of pairs): the view carries the slot and
/// knows nothing of what it holds. Each slot has its own lock, since one value may be made
/// from another.
package final class EngineSlot: Sendable {
    private let held = Mutex<(any Sendable)?>(nil)

    /// An empty slot.
    package init() {}

    /// The value held, made by `make` if there is none yet (under the lock: views are
    /// shared between threads, and each value is made once).
    package func value<T: Sendable>(_ make: () -> T) -> T {
        held.withLock { held in
            if let held { return held as! T }
            let made = make()
            held = made
            return made
        }
    }
}
