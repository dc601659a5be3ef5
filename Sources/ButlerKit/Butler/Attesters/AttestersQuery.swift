import FleetKit
import Foundation

/// `attesters`: every attester of the keys files with its on-chain status, its place in the
/// provider's queue or the entry queue (with the arrival time), its coinbase and its server.
/// The provider queue is read when `AZTEC_STAKING_PROVIDER_ID` is set and a StakingRegistry
/// is known (given, or the known one of mainnet and Sepolia).
public struct AttestersQuery: Sendable {
    /// The network's checked configuration.
    public var configuration: ButlerConfiguration
    /// The StakingRegistry; nil: the known one of the L1 chain.
    public var stakingRegistry: EthereumAddress?
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport

    /// Describes the query.
    public init(configuration: ButlerConfiguration, stakingRegistry: EthereumAddress? = nil,
                multicall3: EthereumAddress = Multicall3.canonicalAddress, http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.stakingRegistry = stakingRegistry
        self.multicall3 = multicall3
        self.http = http
    }

    /// Reads the chain in a few batched requests and places every attester.
    /// - Throws: ``KeysDirectoryError``, ``ChainContextError`` or the chain's errors.
    public func run() async throws -> AttestersReport {
        var (keys, notes) = try configuration.usableKeys()
        let context = try await ChainContext.connect(configuration, multicall3: multicall3, http: http)
        let providerId = configuration.stakingProviderId?.uint64Value
        let registry = stakingRegistry ?? StakingRegistryDeployments.address(chainId: context.chainId)
        if providerId != nil && registry == nil {
            notes.append(ButlerNote(.warning, "no StakingRegistry is known for L1 chain \(context.chainId); give its address to read the provider queue",
                                    choice: .stakingRegistry))
        }
        let placements = try await AttesterPlacementCollector(context: context, stakingRegistry: registry)
            .collect(network: configuration.network, providerId: providerId, keys: keys)
        return AttestersReport(placements: placements, notes: notes)
    }
}

/// What ``AttestersQuery`` found.
public struct AttestersReport: Sendable, Codable, Equatable {
    /// Every attester's place, with the queue totals.
    public var placements: AttesterPlacementReport
    /// Keys files that could not be used (problems), and a provider queue that could not be read (a warning).
    public var notes: [ButlerNote]
}
