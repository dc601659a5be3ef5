import FleetKit
import Foundation

/// How `aztec-butler serve` runs, beyond the network's configuration.
public struct ButlerDaemonOptions: Sendable {
    /// How often each scraper runs.
    public var intervals = ButlerScrapeIntervals()
    /// The StakingRegistry; `nil`: the known one of the L1 chain (mainnet or Sepolia).
    public var stakingRegistry: EthereumAddress?
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress = Multicall3.canonicalAddress
    /// The version shown in `aztec_butler_build_info`.
    public var version: String = FleetKitVersion.current
    /// How each JSON-RPC request is timed out and retried.
    public var rpc: JSONRPCClientOptions = .standard

    /// The defaults: the original's intervals, the known StakingRegistry, canonical Multicall3.
    public init() {}
}
