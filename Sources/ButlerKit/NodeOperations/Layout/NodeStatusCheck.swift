import FleetKit

/// Each server's node as it is: layout, version, service state, L1 URLs (credentials
/// masked), proven block (`aztec-fleet status`).
public struct NodeStatusCheck: FleetJob {
    /// Where each layout keeps its node.
    public var layouts: NodeLayouts
    /// Limit of the inspection of one server.
    public var timeout: Duration

    /// Creates the job.
    public init(layouts: NodeLayouts = NodeLayouts(), timeout: Duration = .seconds(60)) {
        self.layouts = layouts
        self.timeout = timeout
    }

    /// Inspects every server, the session's forks at a time.
    public func run(in session: FleetSession) async -> NodeStatusReport {
        let inspector = NodeInspector(transport: session.transport, layouts: layouts, timeout: timeout)
        let tracked = await Concurrently.mapTrackingProgress(session.inventory.hosts, limit: session.options.forks) { host in
            await inspector.inspect(host)
        }
        return NodeStatusReport(statuses: tracked.map(\.output),
                                progress: tracked.map { HostProgressEntry(host: $0.output.host, progress: $0.progress) })
    }
}

/// What a status check found: each server's node and, for a cancelled check, how far each
/// server's inspection got.
public struct NodeStatusReport: Sendable, FleetKit.ProgressReporting {
    /// One status per server, in inventory order.
    public var statuses: [NodeStatus]
    /// How far each server's inspection got (all `done` unless the check was cancelled).
    public var progress: [HostProgressEntry]

    /// Whether every server could be inspected and runs a node in a known layout.
    public var allHealthy: Bool { statuses.allHealthy }

    /// Servers inspected, cut short and not started, for the recap of an interrupted check.
    public func progressLines() -> [String] { progress.progressLines() }
}

extension [NodeStatus] {
    /// Whether every server could be inspected and runs a node in a known layout.
    public var allHealthy: Bool { allSatisfy { $0.error == nil && $0.layout != NodeLayoutKind.none } }
}
