import Foundation

/// Bounds one stage on each host: the host's first command starts its clock, every later
/// command gets at most what is left, and once the time is up commands end as timed out
/// without running.
final class StageDeadlineTransport: Transport {
    private let inner: any Transport
    private let limit: Duration
    private let deadlines = Locked<[String: ContinuousClock.Instant]>([:])

    init(_ inner: any Transport, limit: Duration) {
        self.inner = inner
        self.limit = limit
    }

    /// What is left of `host`'s stage time, starting its clock on first use.
    private func remaining(for host: RemoteHost) -> Duration {
        let now = ContinuousClock.now
        let deadline = deadlines.withLock { known in
            if let deadline = known[host.name] { return deadline }
            known[host.name] = now + limit
            return now + limit
        }
        return deadline - now
    }

    private func expired() -> CommandResult {
        CommandResult(exitStatus: 124, standardError: "the stage time limit of \(Int(limit.seconds)) s on this host is used up", timedOut: true)
    }

    func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        let left = remaining(for: host)
        guard left > .zero else { return expired() }
        var bounded = command
        bounded.timeout = min(command.timeout ?? left, left)
        return try await inner.run(bounded, on: host)
    }

    func upload(_ data: Data, to path: String, mode: UInt16, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        guard remaining(for: host) > .zero else { return expired() }
        return try await inner.upload(data, to: path, mode: mode, on: host)
    }

    func close() async { await inner.close() }
}
