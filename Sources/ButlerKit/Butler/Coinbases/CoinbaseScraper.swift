import FleetKit
import Foundation

/// Per-network facts the coinbase scrape needs: where the StakingRegistry was deployed and
/// from which block its events can be found.
public enum CoinbaseNetworks {
    /// The first block a full scrape reads: mainnet 23786836, testnet 9595580 (the
    /// registry's deployments, as in the original); 0 for any other network.
    public static func startBlock(network: String) -> UInt64 {
        switch network {
        case "mainnet": 23_786_836
        case "testnet": 9_595_580
        default: 0
        }
    }

    /// The StakingRegistry of the L1 chain `chainId` (``StakingRegistryDeployments``).
    public static func stakingRegistry(chainId: UInt64) -> EthereumAddress? {
        StakingRegistryDeployments.address(chainId: chainId)
    }
}

/// Where a scrape starts.
public enum CoinbaseScrapeStart: Sendable, Equatable {
    /// After the cache's `lastScrapedBlock`, or at the network's start block when there is no cache.
    case incremental
    /// At the network's start block, whatever the cache says (a full rescan).
    case full
    /// At this block.
    case block(UInt64)
}

/// What one `scrape-coinbases` run should do.
public struct CoinbaseScrapeRequest: Sendable {
    /// The network; names the cache and picks the start block.
    public var network: String
    /// The staking provider whose `StakedWithProvider` events are read (topic 1).
    public var providerId: UInt64
    /// The attesters of the keys files; events of other attesters are not kept.
    public var attesters: Set<EthereumAddress>
    /// The cache file read and written.
    public var cacheURL: URL
    /// Where to start.
    public var start: CoinbaseScrapeStart
    /// Blocks per `eth_getLogs` request (halved automatically when the node refuses a range).
    public var chunkSize: UInt64
    /// The last block to read; `nil`: the node's latest block when the run starts.
    public var toBlock: UInt64?
    /// The time written as `scrapedAt`.
    public var now: Date

    /// Describes a scrape.
    public init(network: String, providerId: UInt64, attesters: Set<EthereumAddress>, cacheURL: URL,
                start: CoinbaseScrapeStart = .incremental, chunkSize: UInt64 = 10_000, toBlock: UInt64? = nil, now: Date = Date()) {
        self.network = network
        self.providerId = providerId
        self.attesters = attesters
        self.cacheURL = cacheURL
        self.start = start
        self.chunkSize = chunkSize
        self.toBlock = toBlock
        self.now = now
    }
}

/// What a scrape read, merged and wrote, in the JSON shape tools print.
public struct CoinbaseScrapeReport: Sendable, Codable, Equatable {
    /// The network.
    public var network: String
    /// The provider id, as decimal text.
    public var stakingProviderId: String
    /// The cache file.
    public var cacheFile: String
    /// The first block read.
    public var fromBlock: UInt64
    /// The last block read; below `fromBlock` when there was nothing new to read.
    public var toBlock: UInt64
    /// `StakedWithProvider` events of the provider found in the range.
    public var eventsFound: Int
    /// Of those, events of attesters that are not in the keys files (not kept).
    public var eventsOfOtherAttesters: Int
    /// Attesters newly mapped.
    public var added: Int
    /// Mappings moved to a newer block or replacing a zero address.
    public var updated: Int
    /// Scraped events with a zero coinbase (ignored).
    public var ignoredZero: Int
    /// Mappings in the cache now.
    public var totalMappings: Int
    /// The cache's `lastScrapedBlock` now.
    public var lastScrapedBlock: UInt64
    /// Attesters of the keys files that still have no mapping, lowercase.
    public var attestersWithoutMapping: [String]
    /// Whether the cache file was written.
    public var written: Bool
    /// HTTP requests sent to the node the logs came from (a JSON-RPC batch counts once),
    /// when the caller counted them (FleetKit's ``CountingHTTPTransport``).
    public var archiveRequests: Int?
}

/// A scrape that cannot be done as asked (a cache of another provider or network).
public struct CoinbaseScrapeError: ButlerChoiceProblem, Sendable, InputError {
    /// What is wrong and what to do.
    public let situation: String
    /// The choice that would resolve it, when one does.
    public let choice: ButlerChoice?

    /// Creates the error.
    public init(situation: String, choice: ButlerChoice? = nil) {
        self.situation = situation
        self.choice = choice
    }

    /// The problem with the choice in front.
    public var message: String { description }
}

/// `scrape-coinbases`: reads the provider's `StakedWithProvider` events from the StakingRegistry
/// in block chunks, keeps those of the keys files' attesters, looks up their blocks'
/// timestamps in one batched request, merges them into the cache with ``CoinbaseMerge`` and
/// writes the cache atomically. On a conflict nothing is written.
public struct CoinbaseScraper: Sendable {
    /// The (archive) node the logs and block timestamps are read from.
    public let client: EthereumClient
    /// The StakingRegistry contract.
    public let registry: EthereumAddress

    /// Creates a scraper reading `registry` through `client`.
    public init(client: EthereumClient, registry: EthereumAddress) {
        self.client = client
        self.registry = registry
    }

    /// The mappings of the events of `providerId` in `fromBlock ... toBlock` whose attester is
    /// in `attesters`, in chain order, with the count of events left out.
    public func mappings(providerId: UInt64, attesters: Set<EthereumAddress>, fromBlock: UInt64, toBlock: UInt64,
                         chunkSize: UInt64) async throws -> (mappings: [CoinbaseMapping], found: Int, others: Int) {
        let reader = StakingRegistryReader(client: client, registry: registry)
        let events = try await reader.stakedWithProviderEvents(provider: providerId, fromBlock: fromBlock, toBlock: toBlock, chunkSize: chunkSize)
        let kept = events.filter { attesters.contains($0.attester) }
        let timestamps = kept.isEmpty ? [:] : try await client.blockTimestamps(kept.map(\.blockNumber))
        let mappings = try kept.map { event -> CoinbaseMapping in
            guard let timestamp = timestamps[event.blockNumber], let seconds = Int64(exactly: timestamp) else {
                throw ChainReadError.unexpectedResult(method: "eth_getBlockByNumber", detail: "no timestamp for block \(event.blockNumber)")
            }
            return CoinbaseMapping(attesterAddress: KeysFileAddress(checksummed: event.attester),
                                   coinbaseAddress: KeysFileAddress(checksummed: event.coinbaseSplitContract),
                                   blockNumber: event.blockNumber, blockHash: event.blockHash, timestamp: seconds)
        }
        return (mappings, events.count, events.count - kept.count)
    }

    /// Runs a scrape: reads the cache, the new range, merges and writes.
    ///
    /// - Throws: ``CoinbaseCacheError`` for a bad cache file, ``CoinbaseScrapeError`` for a
    ///   cache of another provider or network, ``CoinbaseConflict`` on a conflict (the cache is
    ///   then not touched), or the chain's errors.
    public func run(_ request: CoinbaseScrapeRequest) async throws -> CoinbaseScrapeReport {
        let cached = try CoinbaseCache.read(from: request.cacheURL)
        let providerText = String(request.providerId)
        if let cached {
            if cached.network != request.network {
                throw CoinbaseScrapeError(situation: "the coinbase cache \(request.cacheURL.path) is for network \(cached.network), not \(request.network); name another file",
                                          choice: .coinbaseCacheFile)
            }
            if UInt256(decimal: cached.stakingProviderId) != UInt256(request.providerId) {
                throw CoinbaseScrapeError(situation: "the coinbase cache \(request.cacheURL.path) is for staking provider \(cached.stakingProviderId), not \(providerText); name another file or move it away",
                                          choice: .coinbaseCacheFile)
            }
        }
        let fromBlock: UInt64
        switch request.start {
        case .block(let block): fromBlock = block
        case .full: fromBlock = CoinbaseNetworks.startBlock(network: request.network)
        case .incremental:
            if let cached {
                fromBlock = cached.lastScrapedBlock == .max ? .max : cached.lastScrapedBlock + 1
            } else {
                fromBlock = CoinbaseNetworks.startBlock(network: request.network)
            }
        }
        let toBlock: UInt64
        if let explicit = request.toBlock { toBlock = explicit } else { toBlock = try await client.blockNumber() }
        var found = 0
        var others = 0
        var scraped: [CoinbaseMapping] = []
        if fromBlock <= toBlock {
            (scraped, found, others) = try await mappings(providerId: request.providerId, attesters: request.attesters,
                                                          fromBlock: fromBlock, toBlock: toBlock, chunkSize: max(1, request.chunkSize))
        }
        let merge = try CoinbaseMerge.merge(cached: cached?.mappings ?? [], scraped: scraped)
        var written = false
        var lastScraped = cached?.lastScrapedBlock ?? 0
        if fromBlock <= toBlock {
            lastScraped = toBlock
            let cache = CoinbaseCache(network: request.network, stakingProviderId: cached?.stakingProviderId ?? providerText,
                                      lastScrapedBlock: toBlock, mappings: merge.mappings,
                                      scrapedAt: CoinbaseCache.timestampText(request.now))
            try cache.write(to: request.cacheURL)
            written = true
        }
        let mapped = Set(merge.mappings.map(\.attesterAddress.address))
        return CoinbaseScrapeReport(
            network: request.network, stakingProviderId: providerText, cacheFile: request.cacheURL.path,
            fromBlock: fromBlock, toBlock: toBlock, eventsFound: found, eventsOfOtherAttesters: others,
            added: merge.added.count, updated: merge.updated.count, ignoredZero: merge.ignoredZero.count,
            totalMappings: merge.mappings.count, lastScrapedBlock: lastScraped,
            attestersWithoutMapping: request.attesters.subtracting(mapped).map(\.lowercaseHex).sorted(),
            written: written)
    }
}

extension KeysFileAddress {
    /// Wraps an address spelled in its EIP-55 checksummed form, as the original's viem writes it.
    public init(checksummed address: EthereumAddress) {
        // The checksummed text always parses; fall back to lowercase only to avoid a force unwrap.
        self = KeysFileAddress(address.checksummed) ?? KeysFileAddress(address)
    }
}
