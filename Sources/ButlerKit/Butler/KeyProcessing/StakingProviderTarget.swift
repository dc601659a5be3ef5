import FleetKit
import Foundation

/// The staking provider a command works for and the StakingRegistry that holds it:
/// `AZTEC_STAKING_PROVIDER_ID`, else the provider whose admin is
/// `AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS` (found by the registry's bounded scan).
public struct StakingProviderTarget: Sendable, Equatable, Codable {
    /// The provider's identifier.
    public let providerId: UInt64
    /// The StakingRegistry contract.
    public let registry: EthereumAddress

    /// Creates a target.
    public init(providerId: UInt64, registry: EthereumAddress) {
        self.providerId = providerId
        self.registry = registry
    }

    /// The configured provider on `context`'s chain, or `nil` when neither the id nor the admin
    /// is configured. `registry` is the given address, else the chain's known StakingRegistry.
    /// - Throws: ``ButlerRequestError`` when no registry is known for the chain or no provider
    ///   has the configured admin; the chain's errors.
    static func resolve(_ configuration: ButlerConfiguration, context: ChainContext, registry given: EthereumAddress?) async throws -> StakingProviderTarget? {
        guard configuration.stakingProviderId != nil || configuration.stakingProviderAdminAddress != nil else { return nil }
        guard let registry = given ?? StakingRegistryDeployments.address(chainId: context.chainId) else {
            throw ButlerRequestError("no StakingRegistry is known for L1 chain \(context.chainId); give its address", choice: .stakingRegistry)
        }
        if let id = configuration.stakingProviderId {
            guard let small = id.uint64Value else {
                throw ButlerRequestError("the staking provider id \(id) is too large", choice: .setting(.stakingProviderId))
            }
            return StakingProviderTarget(providerId: small, registry: registry)
        }
        guard let admin = configuration.stakingProviderAdminAddress else { return nil }
        let reader = StakingRegistryReader(client: context.ethereum, registry: registry, strategy: context.strategy)
        guard let provider = try await reader.provider(forAdmin: admin) else {
            throw ButlerRequestError("no staking provider of the StakingRegistry \(registry.checksummed) has the admin \(admin.checksummed); register the provider first",
                                     choice: .setting(.stakingProviderAdminAddress))
        }
        return StakingProviderTarget(providerId: provider.identifier, registry: registry)
    }

    /// The provider's queue, head first, read at one block in one batch.
    func queue(on context: ChainContext) async throws -> [EthereumAddress] {
        try await StakingRegistryReader(client: context.ethereum, registry: registry, strategy: context.strategy).providerQueue(providerId).map(\.attester)
    }
}
