import Foundation

/// A value guarded by a lock: the one lock type of FleetKit, public so kits and tests
/// share it instead of hand-rolling `NSLock` wrappers.
///
/// Named `Locked` so it does not clash with the standard library's
/// `Synchronization.Locked` when a file imports both. Every read and write goes through
/// ``withLock(_:)``; keep the closure short and never call back into code that may take
/// the same lock.
public final class Locked<Value> {
    private let lock = NSLock()
    private var value: Value

    /// Creates the lock holding `value`.
    public init(_ value: Value) { self.value = value }

    /// Runs `body` with exclusive access to the value and returns what it returns.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// `@unchecked Sendable` only when `Value` is `Sendable`: the stored value is reached only
/// inside `withLock`, which holds `lock`, so no two threads ever touch it at once; and
/// because `Value` itself is `Sendable`, a value copied out of the closure (or one moved
/// in) may safely be used on another thread afterwards. A non-`Sendable` value (a class
/// with unguarded state, say) could escape the lock that way, so such a `Locked` stays
/// confined to one concurrency domain.
extension Locked: @unchecked Sendable where Value: Sendable {}
