import Foundation

/// A value guarded by a lock: the one internal lock type of FleetKit.
///
/// `@unchecked Sendable`: `value` is only reached inside `withLock`, which holds `lock`.
final class Mutex<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
