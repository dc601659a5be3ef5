import FleetKit
import Foundation

/// Collects every node's proof over SSH: a connectivity test first, then per host
/// `node_getL2Tips` → proven block N → `node_getArchiveSiblingPath(N, N)` against the node's
/// loopback RPC, with curl on the host and the JSON read here.
public struct ProofCollector: Sendable {
    /// How commands reach hosts.
    public var transport: any Transport
    /// Where progress goes.
    public var runLog: RunLog
    /// The node's RPC port on each host.
    public var rpcPort: Int
    /// Time limit of one host, from its first RPC call to its last.
    public var perHostTimeout: Duration
    /// Hosts worked on at once.
    public var forks: Int
    /// Time source of `collected_at`.
    public var clock: any FleetClock

    /// Creates a collector.
    public init(transport: any Transport, runLog: RunLog, rpcPort: Int = 8080, perHostTimeout: Duration = .seconds(300),
                forks: Int = 20, clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.rpcPort = rpcPort
        self.perHostTimeout = perHostTimeout
        self.forks = max(1, forks)
        self.clock = clock
    }

    /// Tests connectivity, then collects from every reachable host in parallel; results in host order.
    public func collect(from hosts: [RemoteHost]) async -> [ProofResult] {
        await collectTrackingProgress(from: hosts).results
    }

    /// ``collect(from:)`` that also says, per host, whether a cancellation cut its
    /// collection short or came before it started (see ``HostProgress``).
    public func collectTrackingProgress(from hosts: [RemoteHost]) async -> (results: [ProofResult], progress: [HostProgressEntry]) {
        runLog.addSecrets(hosts.flatMap(\.secretValues))
        let reachability = await Preflight.connectivity(hosts, transport: transport, forks: forks, runLog: runLog,
                                                        timeout: min(perHostTimeout, .seconds(30)))
        var results: [String: ProofResult] = [:]
        let byName = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for missing in reachability.unreachable {
            guard let host = byName[missing.host] else { continue }
            results[host.name] = result(host, .unreachable, error: "SSH connection failed: \(missing.reason)", started: ContinuousClock.now)
        }
        var progress: [String: HostProgress] = [:]
        for finished in await Concurrently.mapTrackingProgress(reachability.reachable, limit: forks, { await self.collect($0) }) {
            results[finished.output.name] = finished.output
            progress[finished.output.name] = finished.progress
        }
        let ordered = hosts.compactMap { results[$0.name] }
        return (ordered, ordered.map { HostProgressEntry(host: $0.name, progress: progress[$0.name] ?? .done) })
    }

    /// Collects one host's proof; never throws — every failure is a status with a reason.
    public func collect(_ host: RemoteHost) async -> ProofResult {
        let started = ContinuousClock.now
        let deadline = started + perHostTimeout
        runLog.log(.exec, host: host.name, "node_getL2Tips on 127.0.0.1:\(rpcPort)")
        let tipsBody: Data
        switch await call(host, ProofResponseParser.request("node_getL2Tips", params: [], id: 1), deadline: deadline) {
        case .success(let body): tipsBody = body
        case .failure(let failure): return finish(host, failure, started: started)
        }
        let block: UInt64
        do {
            block = try ProofResponseParser.provenBlock(fromTips: tipsBody)
        } catch {
            return finish(host, CallFailure(parse: error), started: started)
        }
        runLog.log(.exec, host: host.name, "node_getArchiveSiblingPath at proven block \(block)")
        let number = String(block)
        let pathBody: Data
        switch await call(host, ProofResponseParser.request("node_getArchiveSiblingPath", params: [number, number], id: 2), deadline: deadline) {
        case .success(let body): pathBody = body
        case .failure(let failure): return finish(host, failure, started: started)
        }
        do {
            let proof = try ProofResponseParser.siblingPath(from: pathBody)
            runLog.log(.ok, host: host.name, "proof at block \(block) (\(proof.count) characters)")
            var done = result(host, .ok, error: nil, started: started)
            done.blockNumber = block
            done.proof = proof
            return done
        } catch {
            var failed = finish(host, CallFailure(parse: error), started: started)
            failed.blockNumber = block
            return failed
        }
    }

    /// Why one RPC call gave no usable answer.
    struct CallFailure: Error {
        var status: ProofStatus
        var reason: String

        init(status: ProofStatus, reason: String) {
            self.status = status
            self.reason = reason
        }

        init(parse failure: ProofResponseParser.Failure) {
            switch failure {
            case .notSynced: self.init(status: .notSynced, reason: failure.description)
            case .malformed, .rpcError: self.init(status: .rpcError, reason: failure.description)
            }
        }
    }

    /// curl exit status for "operation timed out".
    static let curlTimedOut: Int32 = 28

    /// POSTs `body` to the node with curl on the host, the body on stdin, within what is left of the host's time.
    private func call(_ host: RemoteHost, _ body: Data, deadline: ContinuousClock.Instant) async -> Result<Data, CallFailure> {
        let left = deadline - ContinuousClock.now
        guard left > .zero else {
            return .failure(CallFailure(status: .timeout, reason: "no answer within \(Self.seconds(perHostTimeout)) s"))
        }
        let curlSeconds = max(1, Int(left.seconds.rounded(.down)))
        let script = "curl -sS -m \(curlSeconds) -X POST -H 'Content-Type: application/json' --data-binary @- http://127.0.0.1:\(rpcPort)/"
        let result: CommandResult
        do {
            result = try await transport.run(RemoteCommand(script, standardInput: body, timeout: left + .seconds(5)), on: host)
        } catch {
            return .failure(CallFailure(status: .unreachable, reason: "SSH connection failed: \(error.message)"))
        }
        if result.timedOut || result.exitStatus == Self.curlTimedOut {
            return .failure(CallFailure(status: .timeout, reason: "the node did not answer within \(Self.seconds(perHostTimeout)) s"))
        }
        guard result.succeeded else {
            let detail = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(CallFailure(status: .rpcError,
                                        reason: "the node RPC on 127.0.0.1:\(rpcPort) did not answer (curl exit \(result.exitStatus)\(detail.isEmpty ? "" : ": " + detail))"))
        }
        return .success(Data(result.standardOutput.utf8))
    }

    private func finish(_ host: RemoteHost, _ failure: CallFailure, started: ContinuousClock.Instant) -> ProofResult {
        let level: LogLevel = failure.status == .notSynced ? .warn : .error
        runLog.log(level, host: host.name, "\(failure.status.rawValue): \(failure.reason)")
        return result(host, failure.status, error: failure.reason, started: started)
    }

    private func result(_ host: RemoteHost, _ status: ProofStatus, error: String?, started: ContinuousClock.Instant) -> ProofResult {
        ProofResult(name: host.name, address: host.address, ethAddress: host.ethAddress ?? "", status: status,
                    collectedAt: clock.now(), error: error.map(runLog.redactor.redact),
                    duration: (ContinuousClock.now - started).seconds)
    }

    private static func seconds(_ duration: Duration) -> String { String(Int(duration.seconds.rounded())) }
}
