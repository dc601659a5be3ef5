import FleetKit
import Foundation

/// `aztec-fleet sync`: each node's proven block against a reference, as the original's
/// `sync_check.sh` did, in one SSH round trip per server.
///
/// On each server the node is looked for on 127.0.0.1 ports 8080, 8081 and 8082 (the first
/// that accepts a connection is used) and asked `node_getL2Tips`. The reference is a node
/// URL asked once from this machine, or else the highest proven block in the fleet.
public struct SyncChecker: Sendable {
    /// What the nodes are compared with.
    public enum Reference: Sendable {
        /// A node's JSON-RPC URL, asked from this machine.
        case node(URL)
        /// The highest proven block any server of the run reports.
        case fleetBest
    }

    /// How commands reach hosts.
    public var transport: any Transport
    /// Where progress goes.
    public var runLog: RunLog
    /// What the nodes are compared with.
    public var reference: Reference
    /// Time allowed to one server (the original's default: 60 s).
    public var perHostTimeout: Duration
    /// Hosts worked on at once.
    public var forks: Int
    /// Ports probed on each server, in order.
    public var ports: [Int]
    /// HTTP transport for the reference node.
    public var http: any HTTPTransport
    /// Time source of the timestamps.
    public var clock: any FleetClock

    /// Creates a checker.
    public init(transport: any Transport, runLog: RunLog, reference: Reference, perHostTimeout: Duration = .seconds(60),
                forks: Int = 20, ports: [Int] = [8080, 8081, 8082], http: any HTTPTransport = URLSessionHTTPTransport(),
                clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.reference = reference
        self.perHostTimeout = perHostTimeout
        self.forks = forks
        self.ports = ports
        self.http = http
        self.clock = clock
    }

    /// What one server said before it is compared with the reference.
    struct Probe: Sendable {
        var status: SyncStatus?
        var localBlock: UInt64?
        var port: Int?
        var detail: String
    }

    /// Checks every host and returns one result per host, in host order.
    public func check(_ hosts: [RemoteHost]) async -> [SyncResult] {
        await checkTrackingProgress(hosts).results
    }

    /// ``check(_:)`` that also says, per host, whether a cancellation cut its check short
    /// or came before it started (see ``HostProgress``).
    public func checkTrackingProgress(_ hosts: [RemoteHost]) async -> (results: [SyncResult], progress: [HostProgressEntry]) {
        let remote = await referenceBlock()
        let reachability = await Preflight.connectivity(hosts, transport: transport, forks: forks, runLog: runLog,
                                                        timeout: min(perHostTimeout, .seconds(30)))
        let unreachable = Dictionary(reachability.unreachable.map { ($0.host, $0.reason) }, uniquingKeysWith: { first, _ in first })
        let tracked = await Concurrently.mapTrackingProgress(hosts, limit: forks) { host -> Probe in
            if let reason = unreachable[host.name] {
                return Probe(status: .error, detail: "SSH connection failed: \(reason)")
            }
            return await probe(host)
        }
        let probes = tracked.map(\.output)
        let progress = zip(hosts, tracked).map { HostProgressEntry(host: $0.name, progress: $1.progress) }
        let best: (block: UInt64?, detail: String)
        switch remote {
        case .some(let answer): best = answer
        case .none:
            let top = probes.compactMap(\.localBlock).max()
            best = (top, top == nil ? "no server of the fleet gave a proven block" : "the fleet's highest proven block")
        }
        let results = zip(hosts, probes).map { host, probe in
            let result = compare(host, probe, remote: best)
            let level: LogLevel = result.status == .synced ? .ok : (result.status == .syncing ? .warn : .error)
            runLog.log(level, host: host.name, "\(result.status.rawValue): \(result.rawOutput.replacingOccurrences(of: "\n", with: "; "))")
            return result
        }
        return (results, progress)
    }

    /// The reference's proven block (`nil` when the reference is the fleet itself).
    private func referenceBlock() async -> (block: UInt64?, detail: String)? {
        guard case .node(let url) = reference else { return nil }
        let client = AztecNodeClient(url: url, transport: http)
        // A provider's URL may carry an API key: only its scheme, host and port are shown.
        let shown = URLCredentials.masked(url.absoluteString)
        runLog.addSecrets([url.absoluteString])
        do {
            let block = try await client.l2Tips().proven.number
            runLog.info("reference \(shown): proven block \(block)")
            return (block, shown)
        } catch {
            let reason = runLog.redactor.redact(String(describing: error))
            runLog.error("reference \(shown) gave no proven block: \(reason)")
            return (nil, "the reference \(shown) gave no proven block: \(reason)")
        }
    }

    /// The script run on each server: the first port that accepts a connection answers.
    func probeScript(curlSeconds: Int) -> String {
        let portList = ports.map(String.init).joined(separator: " ")
        let call = RemoteShell.nodeRPC(port: 0, body: RemoteShell.q(RemoteShell.l2TipsRequest), maxSeconds: curlSeconds)
            .replacingOccurrences(of: "http://127.0.0.1:0/", with: "\"http://127.0.0.1:$p/\"")
        return "for p in \(portList); do out=$(\(call) 2>&1); rc=$?; if [ $rc -ne 7 ]; then printf 'port=%s rc=%s\\n%s\\n' \"$p\" \"$rc\" \"$out\"; exit 0; fi; done; "
            + "printf 'port= rc=7\\n'"
    }

    private func probe(_ host: RemoteHost) async -> Probe {
        let curlSeconds = max(1, Int(perHostTimeout.seconds) - 2)
        let result: CommandResult
        do {
            result = try await transport.run(RemoteCommand(probeScript(curlSeconds: curlSeconds), timeout: perHostTimeout), on: host)
        } catch {
            return Probe(status: .error, detail: "SSH connection failed: \(error.message)")
        }
        if result.timedOut {
            return Probe(status: .timeout, detail: "no answer within \(Int(perHostTimeout.seconds)) s")
        }
        return Self.interpret(result, ports: ports, timeoutSeconds: Int(perHostTimeout.seconds))
    }

    /// Reads the probe's output: `port=P rc=R`, then curl's output.
    static func interpret(_ result: CommandResult, ports: [Int], timeoutSeconds: Int) -> Probe {
        let lines = result.standardOutput.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard result.exitStatus == 0, let head = lines.first, head.hasPrefix("port=") else {
            let tail = result.tail()
            return Probe(status: .error, detail: "the check did not run (\(result.summary)\(tail.isEmpty ? "" : ": " + tail))")
        }
        let fields = head.split(separator: " ")
        let port = fields.first.flatMap { Int($0.dropFirst("port=".count)) }
        let code = fields.dropFirst().first.flatMap { Int32($0.dropFirst("rc=".count)) } ?? -1
        let body = lines.count > 1 ? String(lines[1]).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        guard let port else {
            return Probe(status: .noNode, detail: "no node answers on 127.0.0.1 port \(ports.map(String.init).joined(separator: ", "))")
        }
        switch code {
        case 0:
            do {
                let block = try ProofResponseParser.provenBlock(fromTips: Data(body.utf8), acceptsZero: true)
                return Probe(localBlock: block, port: port, detail: "")
            } catch {
                return Probe(status: .rpcError, port: port, detail: error.description)
            }
        case ProofCollector.curlTimedOut:
            return Probe(status: .timeout, port: port, detail: "the node on port \(port) did not answer within \(timeoutSeconds) s")
        default:
            return Probe(status: .rpcError, port: port, detail: "the node on port \(port) did not answer (curl exit \(code)\(body.isEmpty ? "" : ": " + body))")
        }
    }

    /// The result of one server against the reference's block.
    func compare(_ host: RemoteHost, _ probe: Probe, remote: (block: UInt64?, detail: String)) -> SyncResult {
        let now = clock.now()
        let blocks = "🧱 Local block:  \(probe.localBlock.map(String.init) ?? "N/A")\n🌐 Remote block: \(remote.block.map(String.init) ?? "N/A")"
        var result = SyncResult(name: host.name, address: host.address, localBlock: probe.localBlock, remoteBlock: remote.block,
                                status: .error, port: probe.port, checkedAt: now, rawOutput: blocks)
        if let status = probe.status {
            result.status = status
            result.rawOutput = blocks + "\n" + probe.detail
        } else if let local = probe.localBlock, let reference = remote.block {
            result.status = local == reference ? .synced : .syncing
        } else {
            result.status = .rpcError
            result.rawOutput = blocks + "\n" + remote.detail
        }
        result.rawOutput = runLog.redactor.redact(result.rawOutput)
        return result
    }
}
