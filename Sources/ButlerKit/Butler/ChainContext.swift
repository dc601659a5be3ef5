import FleetKit
import Foundation

/// What every chain command learns first, as the original did: the rollup's address from the
/// Aztec node (`node_getNodeInfo`), checked against the Ethereum node's chain id and the
/// configured `ETHEREUM_CHAIN_ID`.
public struct ChainContext: Sendable {
    /// The Ethereum node every contract read goes to.
    public let ethereum: EthereumClient
    /// The rollup contract the Aztec node follows.
    public let rollup: EthereumAddress
    /// The L1 chain id both nodes agree on.
    public let chainId: UInt64
    /// The Aztec node's version.
    public let nodeVersion: String
    /// How contract reads are batched.
    public let strategy: BatchReadStrategy

    /// Asks both nodes and checks that they belong together.
    ///
    /// - Parameters:
    ///   - multicall3: where Multicall3 is deployed (its usual address on every major chain).
    /// - Throws: ``ChainContextError`` naming the node and what did not match.
    public static func connect(_ configuration: ButlerConfiguration, multicall3: EthereumAddress = Multicall3.canonicalAddress,
                               http: any HTTPTransport = URLSessionHTTPTransport()) async throws(ChainContextError) -> ChainContext {
        let aztec = AztecNodeClient(url: configuration.aztecNodeURL, transport: http)
        let ethereum = EthereumClient(url: configuration.ethereumNodeURL, transport: http)
        let aztecShown = URLCredentials.masked(configuration.aztecNodeURL.absoluteString)
        let ethereumShown = URLCredentials.masked(configuration.ethereumNodeURL.absoluteString)
        let info: AztecNodeInfo
        do {
            info = try await aztec.nodeInfo()
        } catch {
            throw ChainContextError(message: "the Aztec node \(aztecShown) (AZTEC_NODE_URL) did not answer node_getNodeInfo: \(error)")
        }
        guard let rollup = info.rollupAddress else {
            throw ChainContextError(message: "the Aztec node \(aztecShown) names no rollupAddress in node_getNodeInfo")
        }
        let chainId: UInt64
        do {
            chainId = try await ethereum.chainID()
        } catch {
            throw ChainContextError(message: "the Ethereum node \(ethereumShown) (ETHEREUM_NODE_URL) did not answer eth_chainId: \(error)")
        }
        guard chainId == info.l1ChainID else {
            throw ChainContextError(message: "the Aztec node \(aztecShown) follows L1 chain \(info.l1ChainID) but the Ethereum node \(ethereumShown) is chain \(chainId); point ETHEREUM_NODE_URL and AZTEC_NODE_URL at the same network")
        }
        if let configured = configuration.ethereumChainId, configured != chainId {
            throw ChainContextError(message: "ETHEREUM_CHAIN_ID is \(configured) but both nodes are on chain \(chainId)")
        }
        return ChainContext(ethereum: ethereum, rollup: rollup, chainId: chainId, nodeVersion: info.nodeVersion,
                            strategy: .multicall3(address: multicall3))
    }
}

/// The nodes could not be asked, or do not belong together.
public struct ChainContextError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the node and the variable to fix.
    public let message: String

    /// The message.
    public var description: String { message }
}

/// `get-queue-stats`: the rollup's entry queue read in a few batched requests and seen from
/// the provider whose attesters the keys files list.
public struct QueueStatsCollector: Sendable {
    /// The checked nodes.
    public let context: ChainContext

    /// Creates the collector.
    public init(context: ChainContext) {
        self.context = context
    }

    /// Reads the queue parameters (one request) and the whole entry queue (batched) and
    /// computes the stats for the attesters of `keys`.
    public func collect(network: String, providerId: UInt64, keys: MergedKeys, now: Date = Date()) async throws -> EntryQueueStats {
        let rollup = RollupReader(client: context.ethereum, rollup: context.rollup, strategy: context.strategy)
        let parameters = try await rollup.queueParameters()
        let queue = try await rollup.entryQueue().map(\.attester)
        var providerAttesters: [EthereumAddress: Bool] = [:]
        for attester in keys.attesters { providerAttesters[attester.address.address] = attester.coinbase != nil }
        return EntryQueueStats(network: network, providerId: providerId, parameters: parameters, queue: queue,
                               providerAttesters: providerAttesters, now: now)
    }
}
