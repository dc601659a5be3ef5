import FleetKit

/// Node health on a session's servers (`aztec-fleet monitoring`): node_exporter from Debian
/// listening where only the monitoring server reaches it, and the collector writing the
/// node's Aztec gauges every few seconds, for both layouts; or, with `.remove`, all of it
/// taken away again. Idempotent; in check mode it reports what would change.
///
/// ```swift
/// let settings = NodeMonitoringSettings(monitoringServer: "203.0.113.9")
/// let report = try await FleetSession.with(configuration) { try await $0.run(NodeMonitoring(.install, settings: settings)) }
/// ```
public struct NodeMonitoring: FleetJob {
    /// Set up or take away.
    public enum Operation: String, Sendable, Codable {
        /// Install node_exporter and the collector, and start them.
        case install
        /// Stop and remove them, the package, the gauges and the firewall rule.
        case remove
    }

    /// What to do.
    public var operation: Operation
    /// Ports, addresses, paths and the monitoring server.
    public var settings: NodeMonitoringSettings

    /// Creates the job after checking the settings.
    ///
    /// - Throws: ``MonitoringSettingError`` for a setting that cannot work.
    public init(_ operation: Operation, settings: NodeMonitoringSettings) throws(MonitoringSettingError) {
        self.operation = operation
        self.settings = try settings.checked()
    }

    /// The playbook of the operation.
    public var playbook: Playbook {
        operation == .install ? NodeMonitoringStage.playbook(settings) : NodeMonitoringStage.removal(settings)
    }

    /// Runs the preflight, then the playbook on the servers that answered.
    ///
    /// - Throws: ``PreflightFailure`` when this machine lacks something (no server was changed).
    public func run(in session: FleetSession) async throws -> RunReport {
        let preflight = try await session.preflight()
        let runner = PlaybookRunner(transport: session.transport, runLog: session.runLog, options: session.options, clock: session.clock)
        var report = await runner.run(playbook, on: preflight.reachable)
        var unreachable = StepCounts()
        unreachable.unreachable = 1
        report.hosts += preflight.unreachable.map {
            HostReport(host: $0.host, address: $0.address, status: .unreachable, counts: unreachable, message: $0.reason)
        }
        return report
    }
}
