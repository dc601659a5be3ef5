import FleetKit

/// `config.env` for `deploy/join`: the original's 19 `export NAME=value` lines, same names,
/// order and value shapes, each value passed through `ShellQuote` so that any password
/// survives `source config.env`. Plain values (URLs, addresses, base64 keys, simple
/// passwords) need no quotes, so for them the bytes are the original's.
public enum ConfigEnvFile {
    /// The chain RPC the API container talks to, as the original hard-codes it.
    public static let chainNodeURL = "http://node2.gonka.ai:26657"
    /// The second state-sync RPC server, as the original hard-codes it.
    public static let secondRPCServerURL = "http://node1.gonka.ai:8000/chain-rpc"

    /// The variables in the original's order, with their values for `config`.
    /// The list holds the keyring password in clear: it is what the file is for.
    public static func variables(for config: NodeConfig) -> [(name: String, value: String)] {
        let host = config.serverAddress.urlHost
        let seed = config.seedAPIURL
        return [
            ("DAPI_API__PUBLIC_URL", "http://\(host):8000"),
            ("DAPI_CHAIN_NODE__SEED_API_URL", seed),
            ("DAPI_CHAIN_NODE__P2P_EXTERNAL_ADDRESS", "\(host):5000"),
            ("DAPI_CHAIN_NODE__RPC_EXTERNAL_ADDRESS", "\(host):26657"),
            ("DAPI_CHAIN_NODE__URL", chainNodeURL),
            ("DAPI_CHAIN_NODE__P2P_URL", "\(seed)/chain-p2p"),
            ("DAPI_API__POC_CALLBACK_URL", "http://\(host):8000"),
            ("SEED_NODE_RPC_URL", "\(seed)/chain-rpc"),
            ("SEED_NODE_P2P_URL", "\(seed)/chain-p2p"),
            ("P2P_EXTERNAL_ADDRESS", "\(host):5000"),
            ("PUBLIC_URL", "http://\(host):8000"),
            ("SEED_API_URL", seed),
            ("RPC_SERVER_URL_1", "\(seed)/chain-rpc"),
            ("RPC_SERVER_URL_2", secondRPCServerURL),
            ("STATESYNC_ENABLE", "false"),
            ("KEY_NAME", config.keyName),
            ("KEYRING_PASSWORD", config.keyringPassword.revealed),
            ("ACCOUNT_PUBKEY", config.accountPublicKey.base64),
            ("HF_HOME", config.hfHome),
        ]
    }

    /// The file's text: one `export NAME=<quoted value>` line per variable, ending in a newline.
    public static func render(_ config: NodeConfig) -> String {
        variables(for: config).map { "export \($0.name)=\(ShellQuote.quote($0.value))\n" }.joined()
    }
}
