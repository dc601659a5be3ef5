import FleetKit

/// CometBFT state sync: the RPC servers to fetch light blocks from and the trusted block.
public struct StateSyncSettings: Sendable, Hashable {
    /// The original's RPC servers (`rpc_servers`).
    public static let originalRPCServers = ["http://node2.gonka.ai:26657", "http://node1.gonka.ai:26657"]
    /// The trusted block the original falls back to when node2 cannot be asked.
    public static let originalFallbackHeight = 1_851_443
    /// The hash of the original's fallback block.
    public static let originalFallbackHash = "C7B2ED7863CFC5F363D24B244CDD18A6A7754BEAD3C2F88AE503FF6A0D3F3C27"

    /// `rpc_servers`: at least two, as CometBFT requires.
    public let rpcServers: [String]
    /// `trust_height`: a block height above 0.
    public let trustHeight: Int
    /// `trust_hash`: the block's hash, 64 hex digits (upper case, as CometBFT prints it).
    public let trustHash: String

    /// Checks and creates the settings.
    public init(rpcServers: [String] = originalRPCServers, trustHeight: Int, trustHash: String) throws(StateSyncSettingsError) {
        guard rpcServers.count >= 2 else {
            throw StateSyncSettingsError("state sync needs at least two RPC servers, got \(rpcServers.count)")
        }
        if let bad = rpcServers.first(where: { $0.isEmpty || $0.contains(",") || $0.contains(where: \.isWhitespace) }) {
            throw StateSyncSettingsError("the RPC server '\(ConfigValueText.visible(bad))' cannot be listed: it is empty or holds a comma or blank")
        }
        guard trustHeight > 0 else {
            throw StateSyncSettingsError("the trust height must be above 0, got \(trustHeight)")
        }
        guard Hex.matches(trustHash, digits: 64, prefix: .absent) else {
            throw StateSyncSettingsError("the trust hash must be 64 hex digits, got '\(ConfigValueText.visible(trustHash))'")
        }
        self.rpcServers = rpcServers
        self.trustHeight = trustHeight
        self.trustHash = trustHash.uppercased()
    }
}

/// State sync settings that CometBFT would refuse.
public struct StateSyncSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
