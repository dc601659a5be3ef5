/// Bounds how many `ssh` processes are making a new connection at the same time.
///
/// A connection costs a TCP handshake, the key exchange (OpenSSH's default post-quantum
/// one takes about 0.1 s of CPU on the client) and the login; started for hundreds of hosts
/// at once they would queue on the local CPU and, behind a shared sshd or a bastion, pass
/// sshd's `MaxStartups` (10 unauthenticated connections by default, past which it drops
/// new ones at random). A slot is held from the start of `ssh` until the remote command
/// has started (or `ssh` ended), never for the command's whole run; commands over an open
/// master connection need no slot.
final class ConnectionStartGate: Sendable {
    private struct State {
        var free: Int
        var nextTicket: UInt64 = 0
        var waiting: [(ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    }

    private let state: Locked<State>

    /// A gate letting `limit` connections start at once (callers check `limit >= 1`).
    init(limit: Int) {
        state = Locked(State(free: max(1, limit)))
    }

    /// One slot, given back once by ``release()`` (later calls do nothing).
    final class Slot: Sendable {
        private let gate: ConnectionStartGate
        private let held = Locked(true)

        fileprivate init(gate: ConnectionStartGate) { self.gate = gate }

        /// Gives the slot back; safe to call from any thread, any number of times.
        func release() {
            let wasHeld = held.withLock { held in
                defer { held = false }
                return held
            }
            if wasHeld { gate.giveBack() }
        }
    }

    /// Waits for a free slot in arrival order; `nil` when the calling task was cancelled
    /// before one was free.
    func enter() async -> Slot? {
        let ticket: UInt64? = state.withLock { state in
            if state.free > 0 {
                state.free -= 1
                return nil
            }
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        guard let ticket else { return Slot(gate: self) }
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
        return admitted ? Slot(gate: self) : nil
    }

    /// Slots free now (for tests).
    var freeSlots: Int { state.withLock { $0.free } }

    private func giveBack() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            // The slot passes straight to the next waiter.
            return state.waiting.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
