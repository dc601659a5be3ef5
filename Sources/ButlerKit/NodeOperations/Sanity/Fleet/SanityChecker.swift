import FleetKit
import Foundation

/// `aztec-fleet sanity` over SSH: every node's container, its log streamed through the
/// scanner, its chain sampled over one shared window, then the classification.
///
/// Per reachable server, one round trip reads the container's state; the node's JSON-RPC on
/// the server's loopback is asked through ``RemoteCurlHTTPTransport`` (first samples of
/// every node, one window for all, second samples); meanwhile `docker logs` streams into a
/// ``LogScanner`` chunk by chunk, so memory stays constant whatever the log's size.
public struct SanityChecker: Sendable {
    /// What the check looks at and for how long.
    public struct Settings: Sendable {
        /// How much of each log: `docker logs --since` (`1h`, `90m`, a date).
        public var since: String
        /// Time between the two chain samples.
        public var window: Duration
        /// The node's container; `nil` looks for `aztec-node`, then any `aztecprotocol/aztec` container.
        public var container: String?
        /// The node's RPC port on each server.
        public var rpcPort: Int
        /// The role of every node; `nil` reads each node's from its log.
        public var role: NodeRole?
        /// Limit of each command on a server (the log stream included).
        public var perHostTimeout: Duration
        /// Servers worked on at once.
        public var forks: Int
        /// Bytes of one log line scanned at most.
        public var maxLineBytes: Int

        /// Creates settings.
        public init(since: String = "1h", window: Duration = .seconds(120), container: String? = nil, rpcPort: Int = 8080, role: NodeRole? = nil,
                    perHostTimeout: Duration = .seconds(300), forks: Int = 20, maxLineBytes: Int = 1 << 20) {
            self.since = since
            self.window = window
            self.container = container
            self.rpcPort = rpcPort
            self.role = role
            self.perHostTimeout = perHostTimeout
            self.forks = max(1, forks)
            self.maxLineBytes = maxLineBytes
        }
    }

    /// How commands reach servers.
    public var transport: any Transport
    /// Where progress goes.
    public var runLog: RunLog
    /// What to look at.
    public var settings: Settings
    /// How observations become findings.
    public var classifier: SanityClassifier
    /// A node's JSON-RPC URL asked from this machine, to compare with instead of the fleet's best node.
    public var reference: URL?
    /// HTTP transport for the reference node.
    public var http: any HTTPTransport
    /// Time source of the window and the report.
    public var clock: any FleetClock

    /// Creates a checker.
    public init(transport: any Transport, runLog: RunLog, settings: Settings, classifier: SanityClassifier = SanityClassifier(),
                reference: URL? = nil, http: any HTTPTransport = URLSessionHTTPTransport(), clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.settings = settings
        self.classifier = classifier
        self.reference = reference
        self.http = http
        self.clock = clock
    }

    /// Checks every host and classifies the fleet with the servers `deployment` shows
    /// failing to install; hosts keep their order.
    public func check(_ hosts: [RemoteHost], deployment: [DeploymentFailure] = []) async -> SanityReport {
        await checkTrackingProgress(hosts, deployment: deployment).report
    }

    /// ``check(_:deployment:)`` that also says, per host, whether a cancellation came before
    /// its check started or cut its sampling window short (see ``HostProgress``).
    public func checkTrackingProgress(_ hosts: [RemoteHost], deployment: [DeploymentFailure] = []) async
        -> (report: SanityReport, progress: [HostProgressEntry]) {
        runLog.addSecrets(hosts.flatMap(\.secretValues))
        let reachability = await Preflight.connectivity(hosts, transport: transport, forks: settings.forks, runLog: runLog,
                                                        timeout: min(settings.perHostTimeout, .seconds(30)))
        let unreachable = Dictionary(reachability.unreachable.map { ($0.host, $0.reason) }, uniquingKeysWith: { first, _ in first })
        let probe = ChainProgressProbe(window: settings.window, clock: clock)
        let referenceClient = reference.map {
            AztecNodeClient(url: $0, options: ChainProgressProbe.clientOptions(timeout: min(settings.perHostTimeout, .seconds(15))), transport: http)
        }
        if let reference { runLog.addSecrets([reference.absoluteString]) }

        async let referenceStart = Self.begin(referenceClient, probe)
        let startsTracked = await Concurrently.mapTrackingProgress(reachability.reachable, limit: settings.forks) { host in
            await self.begin(host, probe)
        }
        let starts = startsTracked.map(\.output)
        let windowEnds = ContinuousClock.now + settings.window
        let logsTracked = await Concurrently.mapTrackingProgress(starts, limit: settings.forks) { start in await self.scanLogs(start) }
        let logs = logsTracked.map(\.output)
        let left = windowEnds - ContinuousClock.now
        if left > .zero { try? await clock.sleep(for: left) }
        let endsTracked = await Concurrently.mapTrackingProgress(starts, limit: settings.forks) { start in
            start.chain.problem == nil ? await probe.end(start.chain, self.client(start.host)) : start.chain
        }
        let ends = endsTracked.map(\.output)
        var progressByHost: [String: HostProgress] = [:]
        for index in starts.indices {
            let phases = [startsTracked[index].progress, logsTracked[index].progress, endsTracked[index].progress]
            progressByHost[starts[index].host.name] = phases[0] == .notStarted ? .notStarted
                : phases.allSatisfy { $0 == .done } ? .done : .stoppedInFlight
        }
        var referenceNode: ReferenceNode?
        if let referenceClient, let reference, let started = await referenceStart {
            let progress = await probe.end(started, referenceClient)
            let label = URLCredentials.masked(reference.absoluteString)
            referenceNode = ReferenceNode(label: label, progress: progress)
            if let problem = progress.problem { runLog.error("reference \(label) did not answer: \(runLog.redactor.redact(problem))") }
        }

        var observed: [String: NodeObservation] = [:]
        for (index, start) in starts.enumerated() {
            var observation = logs[index]
            observation.chain = ends[index]
            observed[start.host.name] = observation
        }
        let observations = hosts.map { host in
            observed[host.name] ?? NodeObservation(name: host.name, address: host.address, role: settings.role,
                                                   unreachable: unreachable[host.name] ?? "not checked")
        }
        let report = classifier.classify(observations, reference: referenceNode, deployment: deployment, windowSeconds: settings.window.seconds, generated: clock.now())
        for host in report.hosts {
            let level: LogLevel = host.worst.map { $0.failsCheck ? .error : .warn } ?? .ok
            let worst = host.findings.first.map { ": \($0.event.title): \($0.summary)" } ?? ""
            runLog.log(level, host: host.observation.name, "\(host.findings.isEmpty ? "no findings" : Plural.count(host.findings.count, "finding"))\(worst)")
        }
        for finding in report.deployment { runLog.error("[\(finding.host ?? "")] deployment issue: \(finding.summary)") }
        for finding in report.network { runLog.error("network: \(finding.event.title): \(finding.summary)") }
        if let throughput = report.throughput { runLog.info("throughput: \(throughput.phrase)") }
        runLog.info("verdict: \(report.verdict.phrase)")
        return (report, hosts.map { HostProgressEntry(host: $0.name, progress: progressByHost[$0.name] ?? .done) })
    }

    /// A host's container and first chain samples.
    struct Start: Sendable {
        var host: RemoteHost
        var container: Result<ContainerState, NodeContainer.ContainerMissing>?
        var chain: ChainProgress
        var inspectProblem: String?
    }

    private static func begin(_ client: AztecNodeClient?, _ probe: ChainProgressProbe) async -> ChainProgress? {
        guard let client else { return nil }
        return await probe.begin(client)
    }

    private func client(_ host: RemoteHost) -> AztecNodeClient {
        let url = URL(string: "http://127.0.0.1:\(settings.rpcPort)/") ?? URL(fileURLWithPath: "/")
        return AztecNodeClient(url: url, options: ChainProgressProbe.clientOptions(timeout: min(settings.perHostTimeout, .seconds(15))),
                               transport: RemoteCurlHTTPTransport(transport: transport, host: host))
    }

    private func begin(_ host: RemoteHost, _ probe: ChainProgressProbe) async -> Start {
        var start = Start(host: host, chain: ChainProgress(windowSeconds: settings.window.seconds))
        do {
            let result = try await transport.run(RemoteCommand(NodeContainer.inspectScript(name: settings.container), timeout: min(settings.perHostTimeout, .seconds(60))), on: host)
            if result.succeeded {
                start.container = NodeContainer.parse(result.standardOutput)
            } else {
                start.inspectProblem = "the container check failed (\(result.summary)): \(result.tail())"
            }
        } catch {
            start.inspectProblem = "SSH failed: \(error.message)"
        }
        runLog.log(.exec, host: host.name, "node_getBlockNumber, node_getProvenBlockNumber, node_isReady, node_getPendingTxCount, node_getBlocks on 127.0.0.1:\(settings.rpcPort)")
        start.chain = await probe.begin(client(host))
        if let problem = start.chain.problem { start.chain.problem = runLog.redactor.redact(problem) }
        return start
    }

    /// Streams the container's log through a scanner; the observation without chain samples.
    private func scanLogs(_ start: Start) async -> NodeObservation {
        let host = start.host
        var observation = NodeObservation(name: host.name, address: host.address, role: settings.role)
        switch start.container {
        case .success(let container):
            observation.container = container
            runLog.info("container \(container.name) \(container.status), \(Plural.count(container.restartCount, "restart"))", host: host.name)
        case .failure(let missing):
            observation.logProblem = "no node container: \(missing.reason)"
            return observation
        case .none:
            observation.logProblem = start.inspectProblem ?? "the container was not checked"
            return observation
        }
        guard let container = observation.container else { return observation }
        let scanner = Locked(LogScanner(signals: classifier.signals, maxLineBytes: settings.maxLineBytes))
        runLog.log(.exec, host: host.name, "docker logs --since \(settings.since) \(container.name), streamed through the scanner")
        let command = RemoteCommand(NodeContainer.logsScript(name: container.name, since: settings.since), timeout: settings.perHostTimeout,
                                    outputLimit: 64 << 10, standardOutputHandler: { chunk in scanner.withLock { $0.scan(chunk) } })
        do {
            let result = try await transport.run(command, on: host)
            if result.timedOut {
                observation.logProblem = "docker logs did not end within \(Int(settings.perHostTimeout.seconds)) s; what arrived was scanned"
            } else if !result.succeeded {
                observation.logProblem = "docker logs failed (\(result.summary))\(result.tail().isEmpty ? "" : ": " + result.tail())"
            }
        } catch {
            observation.logProblem = "SSH failed while the log streamed: \(error.message)"
        }
        let summary = scanner.withLock { $0.finish() }
        observation.logs = summary
        runLog.info("scanned \(Plural.count(summary.lines, "line")) (\(summary.bytes) bytes) of the log since \(settings.since)", host: host.name)
        return observation
    }
}
