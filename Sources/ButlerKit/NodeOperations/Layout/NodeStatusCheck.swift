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
    public func run(in session: FleetSession) async -> [NodeStatus] {
        await NodeInspector(transport: session.transport, layouts: layouts, timeout: timeout)
            .inspect(session.inventory.hosts, forks: session.options.forks)
    }
}

extension [NodeStatus] {
    /// Whether every server could be inspected and runs a node in a known layout.
    public var allHealthy: Bool { allSatisfy { $0.error == nil && $0.layout != NodeLayoutKind.none } }
}
