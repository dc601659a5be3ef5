import FleetKit

/// One of the original toolkit's daily operations on a session's servers, each handled in
/// its own layout, after the preflight (`aztec-fleet restart`, `update`, `set-l1`,
/// `update-keys`, `remove-data`).
public struct NodeMaintenance: FleetJob {
    /// The operation.
    public var operation: NodeOperation
    /// Places and timings.
    public var settings: OperationSettings
    /// For ``NodeOperation/updateKeys`` without a keys column: rows per server, the first
    /// naming it, as the original's `generate_multi.sh` grouped them.
    public var rowsPerServer: Int
    /// Servers are changed in the policy's batches, one at a time by default, each restarted
    /// node behind the Aztec health gate (ready, block advancing, keystore attesters in the
    /// validator stats), and a batch that fails it stops the rollout. A batch of 100 % puts
    /// every server in one batch (`forks` at a time) still behind the gate; `nil` works on
    /// every server at once with no gate.
    public var rollout: RolloutPolicy?

    /// Creates the job after checking the operation's values.
    ///
    /// - Throws: ``NodeSettingError`` for a version that is not one, or L1 URLs missing or
    ///   not http(s)/ws(s); and for fewer than one row per server.
    public init(_ operation: NodeOperation, settings: OperationSettings = OperationSettings(), rowsPerServer: Int = 10,
                rollout: RolloutPolicy? = RolloutPolicy()) throws(NodeSettingError) {
        self.rollout = rollout
        switch operation {
        case .update(let version):
            _ = try NodeSettingCheck.version(version, example: "2.1.2 or latest")
        case .setL1(let rpc, let consensus):
            _ = try NodeSettingCheck.l1URLs(rpc, for: .l1RPCURLs)
            _ = try NodeSettingCheck.l1URLs(consensus, for: .consensusURLs)
        case .restart, .updateKeys, .removeData:
            break
        }
        guard rowsPerServer >= 1 else { throw NodeSettingError(.serverGrouping, "a server takes at least one row, not \(rowsPerServer)") }
        self.operation = operation
        self.settings = settings
        self.rowsPerServer = rowsPerServer
    }

    /// Whether the inventory may list one server on several rows (update-keys groups them).
    public var allowsRepeatedAddresses: Bool { operation == .updateKeys }

    /// The servers the operation acts on: the inventory's hosts, or for update-keys without
    /// a keys column its groups of ``rowsPerServer`` rows.
    ///
    /// - Throws: ``NodeSettingError`` when two groups or rows are the same server.
    public func servers(of inventory: Inventory) throws(NodeSettingError) -> [RemoteHost] {
        guard operation == .updateKeys else { return inventory.hosts }
        var hosts = inventory.hosts
        if !hosts.contains(where: { $0.secretVariables[AztecInventory.Key.privateKeys] != nil }) {
            hosts = AztecInventory.grouped(hosts, size: rowsPerServer)
        }
        var seen: [String: String] = [:]
        for host in hosts {
            if let other = seen[host.endpoint] {
                throw NodeSettingError(.serverGrouping, "\(other) and \(host.name) are the same server (\(host.address)); one server takes one group of rows or one keys cell")
            }
            seen[host.endpoint] = host.name
        }
        return hosts
    }

    /// Runs the preflight, then the operation on the servers that answered.
    ///
    /// - Throws: ``NodeSettingError`` when rows repeat a server; ``PreflightFailure`` when
    ///   this machine lacks something (no server was changed).
    public func run(in session: FleetSession) async throws -> RunReport {
        let servers = try servers(of: session.inventory)
        let preflight = try await session.preflight(of: servers)
        return await NodeOperationRun(transport: session.transport, runLog: session.runLog, options: session.options, settings: settings,
                                      clock: session.clock, rollout: rollout)
            .run(operation, on: preflight.reachable, unreachable: preflight.unreachable)
    }
}
