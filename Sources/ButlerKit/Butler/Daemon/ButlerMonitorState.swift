import FleetKit
import Foundation

/// Everything the daemon knows about one network at one moment: the last good value of each
/// source, the attester states and each scraper's health. Plain data, so the metrics page
/// and the state transitions can be tested without a chain.
public struct ButlerMonitorState: Sendable {
    /// The network's name; every metric carries it as the `network` label.
    public var network: String
    /// The staking provider, when configured.
    public var providerId: UInt64?
    /// ETH a publisher should hold per attester it serves.
    public var minEthPerAttester: EtherAmount
    /// The merged keys files (each server's newest good file).
    public var keys = MergedKeys([])
    /// How many keys files failed to load at the last look.
    public var invalidKeysFiles = 0
    /// Each attester's `getAttesterView` status from the last good read; `nil` before one.
    public var statuses: [EthereumAddress: AttesterView.Status]?
    /// The provider's queue, head first, from the last good read; `nil` before one.
    public var providerQueue: [EthereumAddress]?
    /// The rollup's entry queue, head first, from the last good read; `nil` before one.
    public var entryQueue: [EthereumAddress]?
    /// The entry-queue statistics of that read.
    public var entryQueueStats: EntryQueueStats?
    /// When the entry queue was last read.
    public var entryQueueScrapedAt: Date?
    /// Each publisher's balance in wei from the last good read.
    public var publisherBalances: [EthereumAddress: UInt256] = [:]
    /// Each validator's duties from the node's sentinel, last good read.
    public var duties: [EthereumAddress: ValidatorDutyStats] = [:]
    /// The attester states.
    public var book = AttesterStateBook()
    /// When the attester states were last evaluated.
    public var statesUpdatedAt: Date?
    /// Each scraper's health.
    public var health: [ButlerScraper: ScraperHealth]

    /// A state with nothing read yet.
    public init(network: String, providerId: UInt64?, minEthPerAttester: EtherAmount, intervals: ButlerScrapeIntervals,
                disabled: Set<ButlerScraper> = []) {
        self.network = network
        self.providerId = providerId
        self.minEthPerAttester = minEthPerAttester
        var health: [ButlerScraper: ScraperHealth] = [:]
        for scraper in ButlerScraper.allCases {
            health[scraper] = ScraperHealth(interval: intervals[scraper], enabled: !disabled.contains(scraper))
        }
        self.health = health
    }

    /// Runs the state machine over every attester of the keys files with what is known now:
    /// provider-queue and entry-queue membership (empty until read) and the on-chain status.
    /// Returns the changes; does nothing before the first status read.
    public mutating func advanceStates(at now: Date) -> [AttesterStateChange] {
        guard let statuses else { return [] }
        let inProviderQueue = Set(providerQueue ?? [])
        let inEntryQueue = Set(entryQueue ?? [])
        var observations: [EthereumAddress: AttesterObservation] = [:]
        for attester in keys.attesters {
            let address = attester.address.address
            observations[address] = AttesterObservation(
                isInProviderQueue: inProviderQueue.contains(address), isInEntryQueue: inEntryQueue.contains(address),
                onChainStatus: statuses[address] ?? .none)
        }
        statesUpdatedAt = now
        return book.advance(observations, at: now)
    }
}
