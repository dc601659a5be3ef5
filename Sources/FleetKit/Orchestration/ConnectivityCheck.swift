import Foundation

/// `fleet ping` and the connectivity test before any job: can every host be reached, and
/// how long do a connection and a round trip take?
public enum ConnectivityCheck {
    /// The check as a job over a session's hosts (`fleet ping`): each host's SSH connect
    /// time and round-trip latency, in inventory order.
    public struct Job: FleetJob {
        /// Limit of the probe's command on each host.
        public var timeout: Duration

        /// Creates the job.
        public init(timeout: Duration = .seconds(30)) { self.timeout = timeout }

        /// Reaches every host, the session's forks at a time.
        public func run(in session: FleetSession) async -> Report {
            let tracked = await Concurrently.mapTrackingProgress(session.inventory.hosts, limit: session.options.forks) { host in
                await probe(host, transport: session.transport, runLog: session.runLog, timeout: timeout)
            }
            return Report(results: tracked.map(\.output),
                          progress: tracked.map { HostProgressEntry(host: $0.output.host, progress: $0.progress) })
        }
    }

    /// What ``Job`` found: one result per host and, for a cancelled check, how far each got.
    public struct Report: Sendable, ProgressReporting {
        /// One result per host, in inventory order.
        public var results: [Result]
        /// Each host's progress, in inventory order (all `done` unless the check was cancelled).
        public var progress: [HostProgressEntry]

        /// Whether every host ran a command.
        public var allReachable: Bool { results.allSatisfy(\.reachable) }

        /// Hosts done, stopped in flight and not started (see ``ProgressReporting``).
        public func progressLines() -> [String] { progress.progressLines() }
    }

    /// One host's answer.
    public struct Result: Sendable, Codable {
        /// The host's name.
        public var host: String
        /// The host's address.
        public var address: String
        /// Whether a command ran on it.
        public var reachable: Bool
        /// Seconds for the first command, including the SSH handshake unless a master
        /// connection was already open.
        public var connectSeconds: Double?
        /// Seconds for a second command over the open connection.
        public var roundTripSeconds: Double?
        /// Why the host cannot be used.
        public var error: String?
    }

    /// Checks every host, up to `forks` at once, and returns results in host order.
    public static func run(_ hosts: [RemoteHost], transport: any Transport, forks: Int, runLog: RunLog,
                           timeout: Duration = .seconds(30)) async -> [Result] {
        await Concurrently.map(hosts, limit: forks) { host in
            await probe(host, transport: transport, runLog: runLog, timeout: timeout)
        }
    }

    private static func probe(_ host: RemoteHost, transport: any Transport, runLog: RunLog, timeout: Duration) async -> Result {
        var result = Result(host: host.name, address: host.address, reachable: false)
        do {
            runLog.log(.check, host: host.name, "connecting to \(host.address)")
            let first = ContinuousClock.now
            let answer = try await transport.run(RemoteCommand("true", timeout: timeout), on: host)
            result.connectSeconds = (ContinuousClock.now - first).seconds
            guard answer.succeeded else {
                result.error = "the host answered but 'true' ended with \(answer.summary)"
                runLog.error(result.error ?? "", host: host.name)
                return result
            }
            let second = ContinuousClock.now
            _ = try await transport.run(RemoteCommand("true", timeout: timeout), on: host)
            result.roundTripSeconds = (ContinuousClock.now - second).seconds
            result.reachable = true
            runLog.log(.ok, host: host.name, String(format: "reachable: connect %.0f ms, round trip %.0f ms",
                                                      (result.connectSeconds ?? 0) * 1000, (result.roundTripSeconds ?? 0) * 1000))
        } catch {
            result.error = error.message
            runLog.error("unreachable: \(error.message)", host: host.name)
        }
        return result
    }

    /// A table for people: name, address, status and timings.
    public static func table(_ results: [Result]) -> String {
        let nameWidth = max(4, results.map(\.host.count).max() ?? 0)
        let addressWidth = max(7, results.map(\.address.count).max() ?? 0)
        var lines = [pad("HOST", nameWidth) + "  " + pad("ADDRESS", addressWidth) + "  STATUS       CONNECT  ROUND TRIP"]
        for r in results {
            let status = r.reachable ? "ok" : "unreachable"
            let connect = r.connectSeconds.map { String(format: "%5.0f ms", $0 * 1000) } ?? "       -"
            let trip = r.roundTripSeconds.map { String(format: "%7.0f ms", $0 * 1000) } ?? "         -"
            var line = pad(r.host, nameWidth) + "  " + pad(r.address, addressWidth) + "  " + pad(status, 11) + "  " + connect + "  " + trip
            if let error = r.error { line += "  " + error }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
}
