import FleetKit
import Foundation

/// `scrape-coinbases`: maps the keys files' attesters to their coinbases from the provider's
/// `StakedWithProvider` events (``CoinbaseScraper``), read from `ETHEREUM_ARCHIVE_NODE_URL`
/// (checked to be on the same chain as the Ethereum node) or else from `ETHEREUM_NODE_URL`
/// with a warning. Needs `AZTEC_STAKING_PROVIDER_ID` and attesters in the keys files.
public struct CoinbaseScrape: Sendable {
    /// The network's checked configuration.
    public var configuration: ButlerConfiguration
    /// Where the scrape starts.
    public var start: CoinbaseScrapeStart
    /// Blocks per `eth_getLogs` request.
    public var chunkSize: UInt64
    /// The cache file; nil: `{data dir}/{network}-cached-coinbases.json`.
    public var cacheFile: URL?
    /// The StakingRegistry; nil: the known one of mainnet or Sepolia.
    public var stakingRegistry: EthereumAddress?
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport

    /// Describes the scrape.
    public init(configuration: ButlerConfiguration, start: CoinbaseScrapeStart = .incremental, chunkSize: UInt64 = 10_000,
                cacheFile: URL? = nil, stakingRegistry: EthereumAddress? = nil, http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.start = start
        self.chunkSize = chunkSize
        self.cacheFile = cacheFile
        self.stakingRegistry = stakingRegistry
        self.http = http
    }

    /// The cache file read and written.
    public var cacheURL: URL {
        cacheFile ?? CoinbaseCache.defaultURL(dataDirectory: configuration.paths.dataDirectory, network: configuration.network)
    }

    /// Scrapes and merges into the cache; a conflict is a problem of the report and leaves the cache as it was.
    /// - Throws: ``ButlerRequestError`` without a provider id, attesters or a known registry,
    ///   ``CoinbaseScrapeError`` for an archive node on another chain or a cache of another
    ///   provider or network, ``CoinbaseCacheError``, ``ChainContextError`` or the chain's errors.
    public func run() async throws -> CoinbaseScrapeOutcome {
        let providerId = try configuration.requiredProviderId("events are read for one provider")
        var (keys, notes) = try configuration.usableKeys()
        let attesters = Set(keys.attesters.map(\.address.address))
        guard !attesters.isEmpty else {
            throw ButlerRequestError("no attesters in the \(configuration.network) keys files of \(configuration.paths.dataDirectory.path): only attesters of the keys files are mapped")
        }
        let context = try await ChainContext.connect(configuration, http: http)
        guard let registry = stakingRegistry ?? CoinbaseNetworks.stakingRegistry(chainId: context.chainId) else {
            throw ButlerRequestError("chain \(context.chainId) is neither mainnet nor Sepolia: give its StakingRegistry's address", choice: .stakingRegistry)
        }
        let counting = CountingHTTPTransport(wrapping: http)
        let archiveURL = configuration.ethereumArchiveNodeURL ?? configuration.ethereumNodeURL
        let archive = EthereumClient(url: archiveURL, transport: counting)
        if configuration.ethereumArchiveNodeURL == nil {
            notes.append(ButlerNote(.warning, "ETHEREUM_ARCHIVE_NODE_URL is not set; reading old logs from ETHEREUM_NODE_URL \(URLCredentials.masked(archiveURL.absoluteString)), which may not have them unless it is an archive node"))
        } else {
            let archiveChain = try await archive.chainID()
            guard archiveChain == context.chainId else {
                throw CoinbaseScrapeError(situation: "the archive node \(URLCredentials.masked(archiveURL.absoluteString)) (ETHEREUM_ARCHIVE_NODE_URL) is chain \(archiveChain) but the Ethereum node is chain \(context.chainId)")
            }
        }
        let request = CoinbaseScrapeRequest(network: configuration.network, providerId: providerId, attesters: attesters,
                                            cacheURL: cacheURL, start: start, chunkSize: chunkSize)
        do {
            var report = try await CoinbaseScraper(client: archive, registry: registry).run(request)
            report.archiveRequests = counting.requestCount
            return CoinbaseScrapeOutcome(report: report, stakingRegistry: registry.checksummed, notes: notes)
        } catch let conflict as CoinbaseConflict {
            notes += [ButlerNote(.problem, conflict.description), ButlerNote(.problem, "the cache \(request.cacheURL.path) was left unchanged")]
            return CoinbaseScrapeOutcome(report: nil, stakingRegistry: registry.checksummed, notes: notes)
        }
    }
}

/// What ``CoinbaseScrape`` did.
public struct CoinbaseScrapeOutcome: Sendable, Codable, Equatable {
    /// What was read, merged and written; nil when a conflict stopped the scrape.
    public var report: CoinbaseScrapeReport?
    /// The StakingRegistry read, checksummed.
    public var stakingRegistry: String
    /// Keys files that could not be used, a conflict, a missing archive node.
    public var notes: [ButlerNote]

    /// The scrape for people.
    public var lines: [String] {
        guard let report else { return [] }
        var lines: [String] = []
        if report.fromBlock > report.toBlock {
            lines.append("Up to date: the range starts at block \(report.fromBlock), after the node's latest block \(report.toBlock); nothing read, cache not written (last scraped block \(report.lastScrapedBlock))")
        } else {
            lines.append("Read blocks \(report.fromBlock)…\(report.toBlock) of StakingRegistry \(stakingRegistry) for provider \(report.stakingProviderId) (\(report.network)) in \(report.archiveRequests ?? 0) requests")
            lines.append("Events: \(report.eventsFound) found, \(report.eventsOfOtherAttesters) of attesters not in the keys files")
            lines.append("Mappings: \(report.added) added, \(report.updated) updated, \(report.ignoredZero) zero coinbases ignored, \(report.totalMappings) in the cache")
            lines.append("Cache: \(report.cacheFile) (last scraped block \(report.lastScrapedBlock))")
        }
        if !report.attestersWithoutMapping.isEmpty {
            lines.append("Attesters of the keys files without a coinbase mapping: \(report.attestersWithoutMapping.count)")
            lines += report.attestersWithoutMapping.map { "  \($0)" }
        }
        return lines
    }
}
