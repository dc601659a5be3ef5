import Foundation

/// The daemon's periodic reads; each runs on its own interval and keeps its own error count
/// and last-success time, so an outage of one source leaves the others' metrics fresh.
public enum ButlerScraper: String, CaseIterable, Sendable, Hashable, Codable, Comparable {
    /// `getAttesterView` of every attester (Multicall3), then the state machine.
    case attesterViews = "attester_views"
    /// The staking provider's queue on the StakingRegistry.
    case providerQueue = "provider_queue"
    /// The ETH balance of every publisher (one JSON-RPC batch).
    case publisherBalances = "publisher_balances"
    /// The rollup's entry queue and its parameters.
    case entryQueue = "entry_queue"
    /// The Aztec node's sentinel: missed attestations and proposals per validator.
    case validatorStats = "validator_stats"
    /// The keys files in the data folder, reloaded when they change.
    case keys

    /// The original Butler's intervals: attester views 60 s, provider queue and publisher
    /// balances 30 s, entry queue 600 s, keys files polled every 5 s; the sentinel every 60 s.
    public var defaultInterval: Duration {
        switch self {
        case .attesterViews: .seconds(60)
        case .providerQueue: .seconds(30)
        case .publisherBalances: .seconds(30)
        case .entryQueue: .seconds(600)
        case .validatorStats: .seconds(60)
        case .keys: .seconds(5)
        }
    }

    /// Orders scrapers as the daemon's first round runs them: keys, the queues, then views.
    public static func < (left: ButlerScraper, right: ButlerScraper) -> Bool {
        let order: [ButlerScraper] = [.keys, .providerQueue, .entryQueue, .attesterViews, .publisherBalances, .validatorStats]
        return (order.firstIndex(of: left) ?? 0) < (order.firstIndex(of: right) ?? 0)
    }
}

/// How often each scraper runs; every interval is checked when it is set.
public struct ButlerScrapeIntervals: Sendable, Equatable {
    /// The interval of each scraper.
    public private(set) var values: [ButlerScraper: Duration]

    /// The shortest and longest interval accepted: 0.1 s (tests use sub-second loops) to one day.
    public static let allowed: ClosedRange<Double> = 0.1...86_400

    /// The original's intervals.
    public init() {
        values = Dictionary(uniqueKeysWithValues: ButlerScraper.allCases.map { ($0, $0.defaultInterval) })
    }

    /// The interval of `scraper`.
    public subscript(scraper: ButlerScraper) -> Duration {
        values[scraper] ?? scraper.defaultInterval
    }

    /// Sets the interval of `scraper` from seconds as text (`30`, `0.5`).
    ///
    /// - Throws: ``ButlerDaemonError`` about the scraper's interval when the text is not a number of
    ///   seconds within ``allowed``: a zero or negative interval would spin, an enormous one
    ///   would never run.
    public mutating func set(_ scraper: ButlerScraper, seconds text: String) throws(ButlerDaemonError) {
        guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite, Self.allowed.contains(seconds) else {
            throw ButlerDaemonError(situation: "expected seconds from 0.1 to 86400, got '\(text)'", choice: .scrapeInterval(scraper))
        }
        values[scraper] = .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

/// The daemon cannot start or was given values that cannot work.
public struct ButlerDaemonError: ButlerChoiceProblem, Sendable, Equatable {
    /// What is wrong, naming the setting or file.
    public let situation: String
    /// The choice the problem is about, when one.
    public let choice: ButlerChoice?

    /// Creates an error about `choice`, or about none.
    public init(situation: String, choice: ButlerChoice? = nil) {
        self.situation = situation
        self.choice = choice
    }

    /// Creates an error about no particular choice.
    public init(message: String) {
        self.init(situation: message)
    }

    /// The problem with the choice in front.
    public var message: String { description }
}
