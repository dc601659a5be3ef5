import FleetKit
import Foundation

/// `status` for one or many nodes: every node file checked first (all problems at once),
/// then each node read side by side (at most ``parallelism`` at a time) over one connection
/// of its own: containers, height against the network and catching up, state-sync
/// progress, the participant and the current epoch, jailing and missed blocks, the ML node
/// and its GPUs, the data volume's headroom. Writes no log and changes nothing.
///
/// ```swift
/// let report = try await NodeStatusRun(nodes: [first, second]).run()
/// if report.needsAttention { … }
/// ```
public struct NodeStatusRun: Sendable {
    /// Each node's settings (node file, SSH key, known_hosts, the HTTP client for the seed API).
    public var nodes: [NodeRunSettings]
    /// How many nodes are read at the same time.
    public var parallelism: Int

    /// Creates the run; eight nodes at a time.
    public init(nodes: [NodeRunSettings], parallelism: Int = 8) {
        self.nodes = nodes
        self.parallelism = max(1, parallelism)
    }

    /// Reads every node.
    ///
    /// - Throws: ``NodeFleetError`` for node files that cannot be used; nothing is read then.
    public func run() async throws -> NodeStatusReport {
        let configs = try NodeFleetDeployRun.load(nodes)
        let permits = AsyncSemaphore(limit: parallelism)
        let statuses = await withTaskGroup(of: (Int, NodeStatus).self) { group in
            for (index, (settings, config)) in zip(nodes, configs).enumerated() {
                group.addTask {
                    var unreachable = NodeStatus(keyName: config.keyName, server: "\(config.sshUser)@\(config.serverAddress.urlHost)")
                    unreachable.attention = NodeStatus.attention(for: unreachable)
                    guard let permit = await permits.acquire() else { return (index, unreachable) }
                    defer { permit.release() }
                    guard let transport = try? settings.makeTransport(config) else { return (index, unreachable) }
                    let deployment = NodeDeployment(config: config, transport: transport, runLog: RunLog(sinks: []), localFolder: settings.workingDirectory,
                                                    httpClient: settings.httpClient)
                    let context = HostContext(host: deployment.host, transport: transport, runLog: deployment.runLog,
                                              defaultTimeout: settings.commandTimeout, clock: settings.clock)
                    let status = await NodeStatusProbe.read(config, context: context, seedAPI: deployment.seedAPI, now: settings.clock.now())
                    await transport.close()
                    return (index, status)
                }
            }
            var statuses: [(Int, NodeStatus)] = []
            for await status in group { statuses.append(status) }
            return statuses.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return NodeStatusReport(nodes: statuses)
    }
}

/// What `status` found, one entry per node in the order of the node files.
public struct NodeStatusReport: Sendable, Codable, Equatable {
    /// The nodes.
    public var nodes: [NodeStatus]

    /// Creates the report.
    public init(nodes: [NodeStatus]) { self.nodes = nodes }

    /// Whether any node needs the operator's attention.
    public var needsAttention: Bool { nodes.contains(where: \.needsAttention) }

    /// Every node's lines, a blank line between nodes, then a count of those needing attention.
    public var textLines: [String] {
        let count = nodes.filter(\.needsAttention).count
        return nodes.map(\.textLines).joined(separator: [""]).map { $0 }
            + ["", count == 0 ? "All \(Plural.count(nodes.count, "node")) OK." : "\(count) of \(Plural.count(nodes.count, "node")) need attention."]
    }

    /// The report as JSON (sorted keys, pretty), for `--json`.
    public func jsonData() throws -> Data { try JSONEncoder.report(escapingSlashes: false).encode(self) }
}
