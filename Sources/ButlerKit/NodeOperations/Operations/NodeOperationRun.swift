import FleetKit
import Foundation

/// Runs one ``NodeOperation`` on a fleet whose servers may be of either layout: each server
/// is inspected first, then gets the operation's playbook for its own layout.
public struct NodeOperationRun: Sendable {
    /// How commands reach hosts.
    public var transport: any Transport
    /// Where progress goes.
    public var runLog: RunLog
    /// Parallelism, check mode and each command's limit.
    public var options: RunOptions
    /// Places and timings.
    public var settings: OperationSettings
    /// Time source for retry pauses.
    public var clock: any FleetClock
    /// Servers are changed in the policy's batches (one at a time by default), each restarted
    /// node behind the health gate, and the rollout stops as the policy says; `nil` runs every
    /// server at once with no gate.
    public var rollout: RolloutPolicy?

    /// Creates the run.
    public init(transport: any Transport, runLog: RunLog, options: RunOptions, settings: OperationSettings = OperationSettings(),
                clock: any FleetClock = SystemClock(), rollout: RolloutPolicy? = RolloutPolicy()) {
        self.rollout = rollout
        self.transport = transport
        self.runLog = runLog
        self.options = options
        self.settings = settings
        self.clock = clock
    }

    private static let oneFailure: StepCounts = {
        var counts = StepCounts()
        counts.failed = 1
        return counts
    }()

    /// Applies `operation` to `hosts`; `unreachable` hosts (from the preflight) are reported
    /// without being contacted. One report per host, in the order given.
    public func run(_ operation: NodeOperation, on hosts: [RemoteHost], unreachable: [UnreachableHost] = []) async -> RunReport {
        let started = ContinuousClock.now
        runLog.addSecrets(hosts.flatMap(\.secretValues))
        let inspector = NodeInspector(transport: transport, layouts: settings.layouts, timeout: min(options.defaultTimeout, .seconds(60)))
        let statuses = await inspector.inspect(hosts, forks: options.forks)
        var reports: [String: HostReport] = [:]
        var groups: [NodeLayoutKind: [RemoteHost]] = [:]
        var installed: [(host: RemoteHost, status: NodeStatus)] = []
        for (host, status) in zip(hosts, statuses) {
            if let error = status.error {
                runLog.error("cannot inspect the node: \(error)", host: host.name)
                reports[host.name] = HostReport(host: host.name, address: host.address, status: .failed, counts: Self.oneFailure, message: error)
            } else if let layout = status.layout, layout != .none {
                runLog.info("\(layout == .original ? "original layout (systemd \(settings.layouts.original.service))" : "compose layout"), version \(status.version ?? "unknown")", host: host.name)
                groups[layout, default: []].append(host)
                installed.append((host, status))
            } else {
                let message = "no Aztec node is installed here (neither \(settings.layouts.original.startScript) nor \(settings.layouts.compose.composeFile))"
                runLog.error(message, host: host.name)
                reports[host.name] = HostReport(host: host.name, address: host.address, status: .failed, counts: Self.oneFailure, message: message)
            }
        }
        let runner = PlaybookRunner(transport: transport, runLog: runLog, options: options, clock: clock)
        // One layout after the other, so `forks` and the failure limits hold for the whole fleet.
        var groupReports: [RunReport] = []
        var rolloutStop: String?
        if let rollout {
            let rolling = await runRolling(operation, on: installed, policy: rollout)
            reports.merge(rolling.reports) { _, new in new }
            rolloutStop = rolling.stopReason
            groups = [:]
        }
        for layout in NodeLayoutKind.allCases {
            guard let members = groups[layout], let playbook = operation.playbook(for: layout, settings) else { continue }
            let report = await runner.run(playbook, on: members)
            groupReports.append(report)
            if report.stopReason != nil { break }
        }
        for report in groupReports {
            for host in report.hosts { reports[host.host] = host }
        }
        var ordered = hosts.map { host in
            reports[host.name] ?? HostReport(host: host.name, address: host.address, status: .stopped, message: "not run")
        }
        var unreachableCounts = StepCounts()
        unreachableCounts.unreachable = 1
        ordered += unreachable.map {
            HostReport(host: $0.host, address: $0.address, status: .unreachable, counts: unreachableCounts, message: $0.reason)
        }
        return RunReport(playbook: operation.logStem, checkMode: options.checkMode, hosts: ordered,
                         stopReason: rolloutStop ?? groupReports.compactMap(\.stopReason).first, duration: (ContinuousClock.now - started).seconds)
    }
}
