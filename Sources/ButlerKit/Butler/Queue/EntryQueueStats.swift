import Foundation

/// The rollup's entry queue seen from one staking provider: when each of its attesters
/// reaches the validator set, and which one will arrive first without a coinbase.
///
/// Its JSON has the original Butler's queue-stats JSON shape. Arrival times follow
/// the original's rule: the attester at 0-based position p arrives at
/// `now + floor(p × timePerAttester)`, `timePerAttester = epoch duration in seconds /
/// flush size`. While the queue is bootstrapping (flush size 0) nothing is flushed per
/// epoch, so there is no arrival time: the time fields are `nil`.
public struct EntryQueueStats: Sendable, Codable, Equatable {
    /// The queue as a whole.
    public struct Global: Sendable, Codable, Equatable {
        /// Attesters waiting in the entry queue.
        public var totalQueueLength: UInt64
        /// The rollup's current epoch.
        public var currentEpoch: UInt64
        /// Epoch duration in seconds (slots × slot duration).
        public var epochDuration: UInt64
        /// Attesters moved into the validator set per flush; 0 while bootstrapping.
        public var flushSize: UInt64
        /// Flushes that may run now.
        public var availableFlushes: UInt64
        /// The next epoch in which a flush may run.
        public var nextFlushableEpoch: UInt64
        /// Whether the validator set has been bootstrapped.
        public var isBootstrapped: Bool
        /// Seconds between two arrivals; `nil` while the flush size is 0.
        public var timePerAttester: Double?
        /// When the last attester of the queue arrives (Unix seconds); `nil` without arrivals.
        public var lastAttesterTimestamp: Int64?
    }

    /// An attester of the provider that has no coinbase yet.
    public struct MissingCoinbase: Sendable, Codable, Equatable {
        /// When it arrives (Unix seconds); `nil` while bootstrapping.
        public var timestamp: Int64?
        /// Its address.
        public var address: String
    }

    /// The provider's share of the queue.
    public struct Provider: Sendable, Codable, Equatable {
        /// How many of the provider's attesters wait in the entry queue.
        public var queueCount: Int
        /// When the first of them arrives (Unix seconds).
        public var nextArrivalTimestamp: Int64?
        /// The earliest-placed of them with no coinbase, or `nil` when all have one.
        public var nextMissingCoinbase: MissingCoinbase?
        /// When the last of them arrives (Unix seconds).
        public var lastArrivalTimestamp: Int64?
    }

    /// The network's name.
    public var network: String
    /// The staking provider's id.
    public var providerId: UInt64
    /// The queue as a whole.
    public var global: Global
    /// The provider's share.
    public var provider: Provider

    /// Computes the stats from the rollup's queue parameters and the queue's attesters in
    /// order (head first). `providerAttesters` maps each attester of the provider's keys
    /// files (any case) to whether it has a coinbase.
    public init(network: String, providerId: UInt64, parameters: RollupQueueParameters, queue: [EthereumAddress],
                providerAttesters: [EthereumAddress: Bool], now: Date) {
        let epochSeconds = parameters.epochDurationInSeconds
        let perAttester: Double? = parameters.entryQueueFlushSize == 0 ? nil : Double(epochSeconds) / Double(parameters.entryQueueFlushSize)
        let start = Int64(now.timeIntervalSince1970.rounded(.down))
        func arrival(_ position: Int) -> Int64? {
            guard let perAttester else { return nil }
            let offset = (Double(position) * perAttester).rounded(.down)
            guard offset.isFinite, offset < Double(Int64.max - start) else { return nil }
            return start + Int64(offset)
        }
        let length = max(UInt64(queue.count), parameters.entryQueueLength)
        global = Global(
            totalQueueLength: length, currentEpoch: parameters.currentEpoch, epochDuration: epochSeconds,
            flushSize: parameters.entryQueueFlushSize, availableFlushes: parameters.availableValidatorFlushes,
            nextFlushableEpoch: parameters.nextFlushableEpoch, isBootstrapped: parameters.isBootstrapped,
            timePerAttester: perAttester, lastAttesterTimestamp: length == 0 ? nil : arrival(Int(clamping: length - 1)))
        let positions = queue.enumerated().filter { providerAttesters[$0.element] != nil }
        let missing = positions.first { providerAttesters[$0.element] == false }
        provider = Provider(
            queueCount: positions.count,
            nextArrivalTimestamp: positions.first.flatMap { arrival($0.offset) },
            nextMissingCoinbase: missing.map { MissingCoinbase(timestamp: arrival($0.offset), address: $0.element.checksummed) },
            lastArrivalTimestamp: positions.last.flatMap { arrival($0.offset) })
        self.network = network
        self.providerId = providerId
    }

    /// Lines for people; while bootstrapping, says so instead of giving arrival times.
    public var summary: String {
        func time(_ stamp: Int64?) -> String {
            guard let stamp else { return "-" }
            return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(stamp)))
        }
        var lines = [
            "network \(network), provider \(providerId)",
            "entry queue: \(global.totalQueueLength) attesters, epoch \(global.currentEpoch), epoch duration \(global.epochDuration) s, flush size \(global.flushSize)",
        ]
        if let perAttester = global.timePerAttester {
            lines.append("one attester every \(String(format: "%.1f", perAttester)) s; the last arrives \(time(global.lastAttesterTimestamp))")
        } else {
            lines.append("the queue is bootstrapping (flush size 0): no attester is flushed per epoch yet, so there is no arrival time")
        }
        lines.append("provider: \(provider.queueCount) attesters in the queue; first arrives \(time(provider.nextArrivalTimestamp)), last \(time(provider.lastArrivalTimestamp))")
        if let missing = provider.nextMissingCoinbase {
            lines.append("next attester without a coinbase: \(missing.address), arrives \(time(missing.timestamp))")
        } else {
            lines.append("every attester of the provider in the queue has a coinbase")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
