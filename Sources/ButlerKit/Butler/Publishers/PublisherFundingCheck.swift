import FleetKit
import Foundation

/// `check-publisher-eth`: every publisher of the keys files, its load, its ETH balance (one
/// batched request) and the top-up it needs to hold `MIN_ETH_PER_ATTESTER` per attester.
public struct PublisherFundingCheck: Sendable {
    /// The network's checked configuration.
    public var configuration: ButlerConfiguration
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport

    /// Describes the check.
    public init(configuration: ButlerConfiguration, multicall3: EthereumAddress = Multicall3.canonicalAddress,
                http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.multicall3 = multicall3
        self.http = http
    }

    /// Reads the balances.
    /// - Throws: ``KeysDirectoryError``, ``ChainContextError`` or the chain's errors.
    public func run() async throws -> PublisherFundingCheckReport {
        let (keys, notes) = try configuration.usableKeys()
        let context = try await ChainContext.connect(configuration, multicall3: multicall3, http: http)
        let addresses = keys.publishers.map(\.address.address)
        let balances = try await context.ethereum.balances(of: addresses)
        let funding = PublisherFundingReport(network: configuration.network, keys: keys,
                                             balances: Dictionary(zip(addresses, balances), uniquingKeysWith: { first, _ in first }),
                                             minEthPerAttester: configuration.minEthPerAttester)
        return PublisherFundingCheckReport(funding: funding, notes: notes)
    }
}

/// What ``PublisherFundingCheck`` found.
public struct PublisherFundingCheckReport: Sendable, Codable, Equatable {
    /// Each publisher's load, balance and top-up.
    public var funding: PublisherFundingReport
    /// A problem per keys file that could not be used.
    public var notes: [ButlerNote]

    /// Whether a publisher needs a top-up or a keys file could not be used.
    public var needsAttention: Bool { funding.needsTopUp || notes.hasProblems }
}

/// `get-provider-id`: the staking provider an admin address manages, found by scanning the
/// StakingRegistry's providers in batched reads (addresses compare case-insensitively).
public struct ProviderLookup: Sendable {
    /// The network's checked configuration.
    public var configuration: ButlerConfiguration
    /// The admin address; nil: `AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS`.
    public var admin: EthereumAddress?
    /// The StakingRegistry; nil: the known one of the L1 chain.
    public var stakingRegistry: EthereumAddress?
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport

    /// Describes the lookup.
    public init(configuration: ButlerConfiguration, admin: EthereumAddress? = nil, stakingRegistry: EthereumAddress? = nil,
                multicall3: EthereumAddress = Multicall3.canonicalAddress, http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.admin = admin
        self.stakingRegistry = stakingRegistry
        self.multicall3 = multicall3
        self.http = http
    }

    /// Scans the registry.
    /// - Throws: ``ButlerRequestError`` without an admin address or a known registry,
    ///   ``ChainContextError`` or the chain's errors.
    public func run() async throws -> ProviderLookupReport {
        guard let admin = admin ?? configuration.stakingProviderAdminAddress else {
            throw ButlerRequestError("give the admin address, or set AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS")
        }
        let context = try await ChainContext.connect(configuration, multicall3: multicall3, http: http)
        guard let registry = stakingRegistry ?? StakingRegistryDeployments.address(chainId: context.chainId) else {
            throw ButlerRequestError("no StakingRegistry is known for L1 chain \(context.chainId); give its address", choice: .stakingRegistry)
        }
        let reader = StakingRegistryReader(client: context.ethereum, registry: registry, strategy: context.strategy)
        guard let found = try await reader.provider(forAdmin: admin) else {
            return ProviderLookupReport(provider: nil, notes: [ButlerNote(.problem,
                "no staking provider has the admin \(admin.checksummed) in the StakingRegistry \(registry.checksummed); is it registered?")])
        }
        let provider = StakingProviderSummary(providerId: found.identifier, admin: found.admin.checksummed, takeRate: found.takeRate,
                                              rewardsRecipient: found.rewardsRecipient.checksummed)
        return ProviderLookupReport(provider: provider, notes: [])
    }
}

/// A staking provider as `get-provider-id` shows it.
public struct StakingProviderSummary: Sendable, Codable, Equatable {
    /// The provider's id in the StakingRegistry.
    public var providerId: UInt64
    /// The admin address, checksummed.
    public var admin: String
    /// The take rate in basis points.
    public var takeRate: UInt16
    /// Where rewards go, checksummed.
    public var rewardsRecipient: String

    /// The provider for people, as the original prints it.
    public var lines: [String] {
        ["Provider ID: \(providerId)", "Admin: \(admin)", "Take Rate: \(takeRate) (\(Double(takeRate) / 100)%)",
         "Rewards Recipient: \(rewardsRecipient)"]
    }
}

/// What ``ProviderLookup`` found.
public struct ProviderLookupReport: Sendable, Codable, Equatable {
    /// The provider; nil when no provider has the admin (a problem note says so).
    public var provider: StakingProviderSummary?
    /// Why no provider was found.
    public var notes: [ButlerNote]
}
