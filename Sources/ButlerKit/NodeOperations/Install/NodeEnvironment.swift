import FleetKit

/// One server's node `.env`: its own address, key, coinbase and L1 URLs, plus fleet-wide ports and logging.
public struct NodeEnvironment: Sendable {
    /// The variables in the order they are written.
    public var entries: [(name: String, value: String)]

    /// The runbook's verbose `DEBUG` filter.
    public static let verboseDebugFilter = "discv5*,aztec:*,-aztec:avm_simulator*,-aztec:circuits:artifact_hash,-json-rpc*,-aztec:world-state:database,-aztec:l2_block_stream*"

    /// Builds the environment of `host`, or says what its inventory row lacks. In the
    /// keystore form the keys and coinbases are in the keystore, not in the environment.
    public static func make(for host: RemoteHost, settings: InstallSettings) throws(NodeConfigurationError) -> NodeEnvironment {
        var missing: [String] = []
        let usesKeystore = settings.keyForm == .keystore
        let privateKey = host.validatorPrivateKey?.revealed ?? ""
        if privateKey.isEmpty && !usesKeystore {
            missing.append("no validator private key: fill the \(columns(AztecInventory.privateKey))")
        }
        let coinbase = host.ethAddress ?? ""
        if coinbase.isEmpty && !usesKeystore {
            missing.append("no Ethereum address for COINBASE: fill the \(columns(AztecInventory.ethAddress))")
        }
        let rpc = host.l1RPCURLs.isEmpty ? settings.l1RPCURLs : host.l1RPCURLs
        if rpc.isEmpty {
            missing.append("no L1 RPC URL: fill the \(columns(AztecInventory.l1RPCURLs)) or give fleet-wide L1 RPC URLs")
        }
        let consensus = host.consensusURLs.isEmpty ? settings.consensusURLs : host.consensusURLs
        if consensus.isEmpty {
            missing.append("no L1 consensus URL: fill the \(columns(AztecInventory.consensusURLs)) or give fleet-wide L1 consensus URLs")
        }
        if !missing.isEmpty {
            throw NodeConfigurationError(inventory: settings.inventoryName, line: host.line, host: host.name, problems: missing)
        }
        var entries: [(String, String)] = [
            ("P2P_IP", host.variables["p2p_ip"] ?? host.address),
            ("P2P_PORT", String(settings.p2pPort)),
            ("AZTEC_PORT", String(settings.rpcPort)),
            ("ETHEREUM_HOSTS", rpc.joined(separator: ",")),
            ("L1_CONSENSUS_HOST_URLS", consensus.joined(separator: ",")),
        ]
        if usesKeystore {
            entries.append(("KEY_STORE_DIRECTORY", ComposeLayout.containerKeystoreDirectory))
        } else {
            entries += [("VALIDATOR_PRIVATE_KEY", privateKey), ("COINBASE", coinbase)]
        }
        entries.append(("DATA_DIRECTORY", "/var/lib/aztec"))
        if settings.verboseNodeLogs {
            entries += [("LOG_LEVEL", "debug"), ("LOG_JSON", "1"), ("DEBUG", verboseDebugFilter)]
        } else {
            entries.append(("LOG_LEVEL", settings.logLevel))
        }
        let unsafe = entries.filter { $0.1.contains { $0 == "\n" || $0 == "\r" || $0 == "\0" } }.map(\.0)
        if !unsafe.isEmpty {
            throw NodeConfigurationError(inventory: settings.inventoryName, line: host.line, host: host.name,
                                         problems: unsafe.map { "the value for \($0) contains a line break" })
        }
        return NodeEnvironment(entries: entries.map { (name: $0.0, value: $0.1) })
    }

    /// "'private_key' column (also read as privatekey, priv_key, key)".
    private static func columns(_ field: InventoryField) -> String {
        let first = field.columns.first ?? field.key
        let others = field.columns.dropFirst()
        return "'\(first)' column" + (others.isEmpty ? "" : " (also read as \(others.joined(separator: ", ")))")
    }

    /// The file's text: a header comment, then `NAME=value` lines.
    public var text: String {
        "# Written by aztec-fleet; changes are overwritten by the next run.\n"
            + entries.map { "\($0.name)=\($0.value)\n" }.joined()
    }

    /// The value of one variable.
    public subscript(name: String) -> String? { entries.first { $0.name == name }?.value }
}

/// A server whose inventory row lacks values the node needs; names the file, line and columns.
public struct NodeConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The inventory file's name.
    public var inventory: String
    /// The row's line in the inventory.
    public var line: Int
    /// The host's name.
    public var host: String
    /// What is missing or wrong, one entry each.
    public var problems: [String]

    /// Creates the error.
    public init(inventory: String, line: Int, host: String, problems: [String]) {
        self.inventory = inventory
        self.line = line
        self.host = host
        self.problems = problems
    }

    /// "servers.csv line 3 (node-2) cannot run a node: no validator private key: …; …".
    public var description: String {
        "\(inventory) line \(line) (\(host)) cannot run a node: " + problems.joined(separator: "; ")
    }
}
