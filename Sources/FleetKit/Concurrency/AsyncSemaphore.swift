/// Lets at most `limit` holders in at once; the others wait in arrival order without
/// blocking a thread, and a waiter whose task is cancelled leaves the line.
///
/// A ``Permit`` is given back once, from any thread (also from a synchronous callback such
/// as a process's first output); a freed permit passes straight to the next waiter. Used
/// for connections that start at the same time (``OpenSSHTransport``) and for JSON-RPC
/// requests in flight (``JSONRPCClient``).
public final class AsyncSemaphore: Sendable {
    private struct State {
        var free: Int
        var nextTicket: UInt64 = 0
        var waiting: [(ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    }

    private let state: Locked<State>

    /// A semaphore with `limit` permits (at least 1).
    public init(limit: Int) {
        state = Locked(State(free: max(1, limit)))
    }

    /// One permit, given back by ``release()``.
    public final class Permit: Sendable {
        private let semaphore: AsyncSemaphore
        private let held = Locked(true)

        fileprivate init(semaphore: AsyncSemaphore) { self.semaphore = semaphore }

        /// Gives the permit back; safe from any thread, any number of times (only the first
        /// call counts).
        public func release() {
            let wasHeld = held.withLock { held in
                defer { held = false }
                return held
            }
            if wasHeld { semaphore.giveBack() }
        }
    }

    /// Waits for a permit in arrival order; `nil` when the calling task was cancelled
    /// before one was free (it then holds none).
    public func acquire() async -> Permit? {
        let ticket: UInt64? = state.withLock { state in
            if state.free > 0 {
                state.free -= 1
                return nil
            }
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        guard let ticket else { return Permit(semaphore: self) }
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let cancelledAlready = state.withLock { state in
                    if Task.isCancelled { return true }
                    state.waiting.append((ticket, continuation))
                    return false
                }
                if cancelledAlready { continuation.resume(returning: false) }
            }
        } onCancel: {
            let removed = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiting.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            removed?.resume(returning: false)
        }
        return admitted ? Permit(semaphore: self) : nil
    }

    /// Runs `operation` while holding a permit, and gives it back however the operation ends.
    ///
    /// - Throws: `CancellationError` when the task was cancelled while waiting (the
    ///   operation then never ran); otherwise whatever `operation` throws.
    public func withPermit<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        guard let permit = await acquire() else { throw CancellationError() }
        defer { permit.release() }
        return try await operation()
    }

    /// Permits free now (for tests and diagnostics).
    public var available: Int { state.withLock { $0.free } }

    private func giveBack() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
