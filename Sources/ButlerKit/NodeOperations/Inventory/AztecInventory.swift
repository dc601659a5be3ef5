import FleetKit
import Foundation

/// What Aztec inventory columns mean: the original toolkit's `servers.csv` read as it reads
/// it, plus our L1 URL columns.
///
/// As in the original, `ADDRESS` is the sequencer's Ethereum address (its coinbase) and
/// `KEY` its validator private key, never an SSH field. Columns are tried in the order
/// given and the first non-empty value of a row wins.
public enum AztecInventory {
    /// Keys under which the fields land in ``RemoteHost/variables`` and ``RemoteHost/secretVariables``.
    public enum Key {
        /// The Ethereum address (``RemoteHost/variables``).
        public static let ethAddress = "eth_address"
        /// The validator private key (``RemoteHost/secretVariables``).
        public static let privateKey = "private_key"
        /// Several validator private keys, comma-separated (``RemoteHost/secretVariables``).
        public static let privateKeys = "private_keys"
        /// L1 execution RPC URLs, comma- or space-separated (``RemoteHost/variables``).
        public static let l1RPCURLs = "l1_rpc_urls"
        /// L1 consensus URLs, comma- or space-separated (``RemoteHost/variables``).
        public static let consensusURLs = "l1_consensus_urls"
        /// The server's id in the Butler's keys files (``RemoteHost/variables``).
        public static let serverId = "server_id"
    }

    /// The Ethereum address: `ADDRESS`, `ETH_ADDRESS`, `ETHEREUM_ADDRESS`, `WALLET_ADDRESS`.
    public static let ethAddress = InventoryField(
        Key.ethAddress, label: "Ethereum address",
        columns: ["address", "eth_address", "ethereum_address", "wallet_address"],
        validate: { Hex.matches($0, digits: 40, prefix: .required) ? nil : "0x followed by 40 hex digits" })

    /// The validator private key: `PRIVATE_KEY`, `PRIVATEKEY`, `PRIV_KEY`, `KEY`, `VALIDATOR_PRIVATE_KEY`.
    public static let privateKey = InventoryField(
        Key.privateKey, label: "validator private key",
        columns: ["private_key", "privatekey", "priv_key", "key", "validator_private_key"],
        secret: true,
        validate: { Hex.matches($0, digits: 64, prefix: .optional) ? nil : "64 hex digits, optionally after 0x" })

    /// Several validator keys of one server for `update-keys`: `KEYS`, `PRIVATE_KEYS`,
    /// `VALIDATOR_PRIVATE_KEYS` (comma- or space-separated).
    public static let privateKeys = InventoryField(
        Key.privateKeys, label: "validator private key list",
        columns: ["keys", "private_keys", "validator_private_keys"],
        secret: true,
        validate: { text in
            let keys = splitList(text)
            return !keys.isEmpty && keys.allSatisfy({ Hex.matches($0, digits: 64, prefix: .optional) })
                ? nil : "64 hex digits per key, optionally after 0x, keys separated by commas"
        })

    /// L1 RPC URLs: `L1_RPC`, `L1_RPC_URL`, `L1_RPC_URLS`, `RPC`, `RPC_URLS`, `ETHEREUM_HOSTS`.
    public static let l1RPCURLs = InventoryField(
        Key.l1RPCURLs, label: "L1 RPC URL list",
        columns: ["l1_rpc", "l1_rpc_url", "l1_rpc_urls", "rpc", "rpc_urls", "ethereum_hosts"],
        validate: urlListProblem)

    /// L1 consensus URLs: `L1_CONSENSUS`, `L1_CONSENSUS_URL`, `CONSENSUS`, `BEACON`, `L1_CONSENSUS_HOST_URLS`.
    public static let consensusURLs = InventoryField(
        Key.consensusURLs, label: "L1 consensus URL list",
        columns: ["l1_consensus", "l1_consensus_url", "consensus", "beacon", "l1_consensus_host_urls"],
        validate: urlListProblem)

    /// The server's id in the Butler's keys files (`{network}-keys-{serverId}-v{N}.json`):
    /// `SERVER_ID`, `BUTLER_SERVER_ID`; without it the row's name is the id.
    public static let serverId = InventoryField(
        Key.serverId, label: "Butler server id", columns: ["server_id", "butler_server_id"],
        validate: { $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } ? nil : "letters, digits, -, _ and ." })

    /// Every Aztec field.
    public static let schema = InventorySchema([ethAddress, privateKey, privateKeys, l1RPCURLs, consensusURLs, serverId])

    /// One host per group of `size` consecutive rows, as the original's generate_multi.sh made
    /// them for multi-key servers: the first row's server, address and name, and every
    /// row's validator key in order. `size` below 1 counts as 1.
    public static func grouped(_ hosts: [RemoteHost], size: Int) -> [RemoteHost] {
        let size = max(1, size)
        return stride(from: 0, to: hosts.count, by: size).compactMap { start in
            let group = hosts[start..<min(hosts.count, start + size)]
            guard var first = group.first else { return nil }
            let keys = group.flatMap(\.validatorPrivateKeys)
            first.secretVariables[Key.privateKey] = nil
            first.secretVariables[Key.privateKeys] = keys.isEmpty ? nil : Secret(keys.joined(separator: ","))
            return first
        }
    }

    /// Splits a list of URLs on commas, semicolons and whitespace, dropping empty parts.
    public static func splitList(_ text: String) -> [String] {
        text.split { $0 == "," || $0 == ";" || $0.isWhitespace }.map(String.init)
    }

    /// What was expected when `text` is not a list of http(s) or ws(s) URLs; `nil` when it is.
    public static func urlListProblem(_ text: String) -> String? {
        let bad = splitList(text).filter { item in
            // Characters a shell would act on are refused: URLs land in start scripts and .env files.
            guard !item.contains(where: { "$`\"'\\".contains($0) }) else { return true }
            guard let url = URL(string: item), let scheme = url.scheme?.lowercased(), url.host != nil else { return true }
            return !["http", "https", "ws", "wss"].contains(scheme)
        }
        return bad.isEmpty ? nil : "http(s) or ws(s) URLs separated by commas, without $, ` or quotes"
    }
}

extension RemoteHost {
    /// The Ethereum address from the inventory (``AztecInventory/ethAddress``).
    public var ethAddress: String? { variables[AztecInventory.Key.ethAddress] }

    /// The validator private key from the inventory (``AztecInventory/privateKey``).
    public var validatorPrivateKey: Secret? { secretVariables[AztecInventory.Key.privateKey] }

    /// Every validator key of this server: its key list (``AztecInventory/privateKeys``),
    /// else its one key; empty when it has none. Read only where the keys are sent.
    public var validatorPrivateKeys: [String] {
        if let list = secretVariables[AztecInventory.Key.privateKeys] { return AztecInventory.splitList(list.revealed) }
        return validatorPrivateKey.map { [$0.revealed] } ?? []
    }

    /// L1 execution RPC URLs from the inventory; empty when the row names none.
    public var l1RPCURLs: [String] { AztecInventory.splitList(variables[AztecInventory.Key.l1RPCURLs] ?? "") }

    /// L1 consensus URLs from the inventory; empty when the row names none.
    public var consensusURLs: [String] { AztecInventory.splitList(variables[AztecInventory.Key.consensusURLs] ?? "") }
}

extension AztecInventory {
    /// A host built in code with the Aztec values stored where the inventory loader puts
    /// them, so ``RemoteHost/ethAddress`` and the other accessors read them back.
    public static func host(
        name: String, address: String, user: String? = nil, port: Int? = nil, identityFile: String? = nil,
        ethAddress: String? = nil, privateKey: Secret? = nil, l1RPCURLs: [String] = [], consensusURLs: [String] = [],
        variables: [String: String] = [:], line: Int = 0
    ) -> RemoteHost {
        var host = RemoteHost(name: name, address: address, user: user, port: port, identityFile: identityFile,
                              variables: variables, line: line)
        if let ethAddress { host.variables[Key.ethAddress] = ethAddress }
        if let privateKey { host.secretVariables[Key.privateKey] = privateKey }
        if !l1RPCURLs.isEmpty { host.variables[Key.l1RPCURLs] = l1RPCURLs.joined(separator: ",") }
        if !consensusURLs.isEmpty { host.variables[Key.consensusURLs] = consensusURLs.joined(separator: ",") }
        return host
    }
}
