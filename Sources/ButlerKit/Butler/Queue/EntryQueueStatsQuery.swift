import FleetKit
import Foundation

/// `get-queue-stats`: the rollup's entry queue and when the provider's attesters (those of the
/// keys files) arrive in the validator set. Needs `AZTEC_STAKING_PROVIDER_ID`; checks that the
/// Aztec node and the Ethereum node belong together first (``ChainContext``).
public struct EntryQueueStatsQuery: Sendable {
    /// The network's checked configuration.
    public var configuration: ButlerConfiguration
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport

    /// Describes the query.
    public init(configuration: ButlerConfiguration, multicall3: EthereumAddress = Multicall3.canonicalAddress,
                http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.multicall3 = multicall3
        self.http = http
    }

    /// Reads the queue in a few batched requests.
    /// - Throws: ``ButlerRequestError`` without a provider id, ``KeysDirectoryError``,
    ///   ``ChainContextError`` or the chain's errors.
    public func run() async throws -> EntryQueueStatsReport {
        let providerId = try configuration.requiredProviderId("the queue is read for one provider")
        let (keys, notes) = try configuration.usableKeys()
        let context = try await ChainContext.connect(configuration, multicall3: multicall3, http: http)
        let stats = try await QueueStatsCollector(context: context).collect(network: configuration.network, providerId: providerId, keys: keys)
        return EntryQueueStatsReport(stats: stats, notes: notes)
    }
}

/// What ``EntryQueueStatsQuery`` found: the stats and the keys files it could not use.
public struct EntryQueueStatsReport: Sendable, Codable, Equatable {
    /// The stats, in the original Butler's JSON shape.
    public var stats: EntryQueueStats
    /// A problem per keys file that could not be used.
    public var notes: [ButlerNote]

    /// The stats for people, one line each.
    public var lines: [String] { stats.summary.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}
