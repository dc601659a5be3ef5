import ButlerKit
import FleetKit
import Foundation

let publisherEthDiscussion = "Reads every publisher of the keys files, its load (1 per validator naming it alone, 1/n when among n) and its balance (one batched request), and shows the top-up each needs: ⌈load⌉ × MIN_ETH_PER_ATTESTER minus the balance, in the original's format. Exit 1 when any publisher needs a top-up or a keys file cannot be used."

let providerCommandSpecs = [
    CommandSpec(name: "get-provider-id", summary: "Find the staking provider an admin address manages: id, take rate, rewards recipient",
                discussion: "ADMIN defaults to AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS. Scans the StakingRegistry's providers up to nextProviderIdentifier in batched reads (the original looped forever on an unknown admin); addresses compare case-insensitively. Exit 1 when no provider has that admin.",
                arguments: [ArgumentSpec("ADMIN", help: "The provider's admin address", optional: true)],
                options: [jsonOption, registryOption, multicallOption]),
    CommandSpec(name: "check-publisher-eth", summary: "Each publisher's load, ETH balance and the top-up it needs",
                discussion: publisherEthDiscussion, options: [jsonOption, multicallOption]),
    CommandSpec(name: "get-publisher-eth", summary: "The same as check-publisher-eth (the original's command file name)",
                discussion: publisherEthDiscussion, options: [jsonOption, multicallOption]),
]

func encoded<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

func getProviderId(_ parsed: ParsedCommand) async throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    let admin: EthereumAddress
    if let text = parsed.arguments.first {
        guard let address = EthereumAddress(hex: text), text.count == 42 else {
            throw UsageError(message: "ADMIN: '\(text)' is not an address (0x + 40 hex digits)", commandPath: parsed.path)
        }
        admin = address
    } else if let configured = configuration.stakingProviderAdminAddress {
        admin = configured
    } else {
        throw UsageError(message: "give the admin address, or set AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS", commandPath: parsed.path)
    }
    let context = try await ChainContext.connect(configuration, multicall3: try addressOption(parsed, "multicall3") ?? Multicall3.canonicalAddress)
    guard let registry = try addressOption(parsed, "staking-registry") ?? StakingRegistryDeployments.address(chainId: context.chainId) else {
        throw UsageError(message: "no StakingRegistry is known for L1 chain \(context.chainId); give --staking-registry", commandPath: parsed.path)
    }
    let reader = StakingRegistryReader(client: context.ethereum, registry: registry, strategy: context.strategy)
    guard let provider = try await reader.provider(forAdmin: admin) else {
        io.writeError("aztec-butler: no staking provider has the admin \(admin.checksummed) in the StakingRegistry \(registry.checksummed); is it registered?\n")
        return ToolExitCode.failure
    }
    if parsed.flag("json") {
        struct Found: Encodable { let providerId: UInt64; let admin: String; let takeRate: UInt16; let rewardsRecipient: String }
        io.writeOutput(try encoded(Found(providerId: provider.identifier, admin: provider.admin.checksummed, takeRate: provider.takeRate,
                                         rewardsRecipient: provider.rewardsRecipient.checksummed)))
    } else {
        io.writeOutput("""
            Provider ID: \(provider.identifier)
            Admin: \(provider.admin.checksummed)
            Take Rate: \(provider.takeRate) (\(Double(provider.takeRate) / 100)%)
            Rewards Recipient: \(provider.rewardsRecipient.checksummed)

            """)
    }
    return ToolExitCode.success
}

func checkPublisherEth(_ parsed: ParsedCommand) async throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    let discovery = try KeysDirectory(folder: configuration.paths.dataDirectory, network: configuration.network).discover()
    for failure in discovery.failures { io.writeError("aztec-butler: \(failure)\n") }
    let keys = discovery.merged
    let context = try await ChainContext.connect(configuration, multicall3: try addressOption(parsed, "multicall3") ?? Multicall3.canonicalAddress)
    let addresses = keys.publishers.map(\.address.address)
    let balances = try await context.ethereum.balances(of: addresses)
    let report = PublisherFundingReport(network: configuration.network, keys: keys,
                                        balances: Dictionary(zip(addresses, balances), uniquingKeysWith: { first, _ in first }),
                                        minEthPerAttester: configuration.minEthPerAttester)
    io.writeOutput(parsed.flag("json") ? try encoded(report) : report.textLines.joined(separator: "\n") + "\n")
    return report.needsTopUp || !discovery.failures.isEmpty ? ToolExitCode.failure : ToolExitCode.success
}
