import Foundation

/// Where an attester of the keys files stands on its way into the validator set.
///
/// Decided from on-chain facts only, in this order: in the provider's StakingRegistry queue;
/// status VALIDATING; status ZOMBIE or EXITING; in the rollup's entry queue (status NONE there,
/// since `deposit` only enqueues); else nowhere on chain yet (or already withdrawn).
public enum AttesterPlace: String, Sendable, Codable, CaseIterable {
    /// Waiting in the staking provider's queue on the StakingRegistry.
    case providerQueue = "PROVIDER_QUEUE"
    /// Waiting in the rollup's global entry queue to be flushed into the validator set.
    case entryQueue = "ENTRY_QUEUE"
    /// In the validator set (status VALIDATING).
    case validating = "VALIDATING"
    /// Leaving or left the set with stake still held (status ZOMBIE or EXITING).
    case leaving = "LEAVING"
    /// In no queue and status NONE: not staked yet, or fully withdrawn.
    case notOnChain = "NOT_ON_CHAIN"

    /// The original Butler's name for this place, as its `scrape-attester-status` shows it.
    public var state: AttesterState {
        switch self {
        case .providerQueue: .inStakingProviderQueue
        case .entryQueue: .rollupEntryQueue
        case .validating: .active
        case .leaving: .noLongerActive
        case .notOnChain: .new
        }
    }
}

/// One attester of the keys files with its status, its place and what it still lacks.
public struct AttesterPlacement: Sendable, Codable, Equatable {
    /// The attester's address, checksummed.
    public var address: String
    /// The server whose keys file lists it.
    public var serverId: String
    /// That keys file's name.
    public var fileName: String
    /// `getAttesterView(address).status`: `NONE`, `VALIDATING`, `ZOMBIE` or `EXITING`.
    public var status: String
    /// Where it stands.
    public var place: AttesterPlace
    /// The same place in the original Butler's state names (`IN_STAKING_PROVIDER_QUEUE`,
    /// `ROLLUP_ENTRY_QUEUE`, `ACTIVE`, `NO_LONGER_ACTIVE`, `NEW`).
    public var state: AttesterState
    /// Its 0-based position in the provider's queue (head first), when it waits there.
    public var providerQueuePosition: Int?
    /// Its 0-based position in the rollup's entry queue (head first), when it waits there.
    public var entryQueuePosition: Int?
    /// When it reaches the validator set (Unix seconds), by ``EntryQueueStats``' rule;
    /// `nil` outside the entry queue and while the queue bootstraps (flush size 0).
    public var arrivalTimestamp: Int64?
    /// Its coinbase as the keys file spells it; `nil` when the file has none.
    public var coinbase: String?
}

/// Every attester of a network's keys files placed on chain: the `attesters` command's answer.
///
/// Built from data already read (``init(network:providerId:keys:statuses:providerQueue:entryQueue:parameters:now:)``),
/// so the rule can be tested without a chain; ``AttesterPlacementCollector`` does the reads.
public struct AttesterPlacementReport: Sendable, Codable, Equatable {
    /// The network's name.
    public var network: String
    /// The staking provider whose queue was read; `nil` when none is configured.
    public var providerId: UInt64?
    /// Attesters waiting in the provider's queue in total (all of the provider's, not only ours).
    public var providerQueueLength: Int?
    /// Attesters waiting in the rollup's entry queue in total.
    public var entryQueueLength: Int
    /// Attesters flushed per epoch; 0 while bootstrapping, when there is no arrival time.
    public var flushSize: UInt64
    /// Seconds between two arrivals; `nil` while the flush size is 0.
    public var timePerAttester: Double?
    /// How many attesters are in each place, by the place's name.
    public var counts: [String: Int]
    /// How many attesters have no coinbase.
    public var missingCoinbaseCount: Int
    /// Every attester in keys-file merge order.
    public var attesters: [AttesterPlacement]

    /// Places every attester of `keys`.
    ///
    /// - Parameters:
    ///   - statuses: each attester's `getAttesterView` status; a missing one counts as NONE.
    ///   - providerQueue: the provider's queue, head first; `nil` when it was not read.
    ///   - entryQueue: the rollup's entry queue, head first.
    ///   - parameters: the rollup's queue parameters, for the arrival rule.
    public init(network: String, providerId: UInt64?, keys: MergedKeys, statuses: [EthereumAddress: AttesterView.Status],
                providerQueue: [EthereumAddress]?, entryQueue: [EthereumAddress], parameters: RollupQueueParameters, now: Date) {
        // The arrival rule is EntryQueueStats' own, so both commands give the same times.
        let flags = Dictionary(keys.attesters.map { ($0.address.address, $0.coinbase != nil) }, uniquingKeysWith: { first, _ in first })
        let stats = EntryQueueStats(network: network, providerId: providerId ?? 0, parameters: parameters, queue: entryQueue,
                                    providerAttesters: flags, now: now)
        let start = Int64(now.timeIntervalSince1970.rounded(.down))
        func arrival(_ position: Int) -> Int64? {
            guard let perAttester = stats.global.timePerAttester else { return nil }
            let offset = (Double(position) * perAttester).rounded(.down)
            guard offset.isFinite, offset < Double(Int64.max - start) else { return nil }
            return start + Int64(offset)
        }
        var providerPositions: [EthereumAddress: Int] = [:]
        for (index, attester) in (providerQueue ?? []).enumerated() where providerPositions[attester] == nil {
            providerPositions[attester] = index
        }
        var entryPositions: [EthereumAddress: Int] = [:]
        for (index, attester) in entryQueue.enumerated() where entryPositions[attester] == nil {
            entryPositions[attester] = index
        }
        attesters = keys.attesters.map { attester in
            let address = attester.address.address
            let status = statuses[address] ?? .none
            let providerPosition = providerPositions[address]
            let entryPosition = entryPositions[address]
            let place: AttesterPlace
            if providerPosition != nil {
                place = .providerQueue
            } else if status == .validating {
                place = .validating
            } else if status == .zombie || status == .exiting {
                place = .leaving
            } else if entryPosition != nil {
                place = .entryQueue
            } else {
                place = .notOnChain
            }
            return AttesterPlacement(
                address: address.checksummed, serverId: attester.serverId, fileName: attester.fileName, status: status.description,
                place: place, state: place.state, providerQueuePosition: providerPosition, entryQueuePosition: place == .entryQueue ? entryPosition : nil,
                arrivalTimestamp: place == .entryQueue ? entryPosition.flatMap(arrival) : nil, coinbase: attester.coinbase?.text)
        }
        (counts, missingCoinbaseCount) = Self.totals(attesters)
        self.network = network
        self.providerId = providerId
        self.providerQueueLength = providerQueue?.count
        self.entryQueueLength = Int(clamping: stats.global.totalQueueLength)
        self.flushSize = parameters.entryQueueFlushSize
        self.timePerAttester = stats.global.timePerAttester
    }

    /// How many attesters are in each place, and how many have no coinbase.
    private static func totals(_ attesters: [AttesterPlacement]) -> ([String: Int], Int) {
        var counts: [String: Int] = [:]
        for place in AttesterPlace.allCases { counts[place.rawValue] = 0 }
        for attester in attesters { counts[attester.place.rawValue, default: 0] += 1 }
        return (counts, attesters.filter { $0.coinbase == nil }.count)
    }

    /// The same report with only the attesters `keep` accepts, totals counted again.
    public func restricted(to keep: (AttesterPlacement) -> Bool) -> AttesterPlacementReport {
        var copy = self
        copy.attesters = attesters.filter(keep)
        (copy.counts, copy.missingCoinbaseCount) = Self.totals(copy.attesters)
        return copy
    }

    /// A table for people: one line per attester, then the totals; while bootstrapping, says
    /// why entry-queue attesters have no arrival time.
    public var textLines: [String] {
        func time(_ stamp: Int64?) -> String {
            guard let stamp else { return "-" }
            return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(stamp)))
        }
        var rows: [[String]] = [["ATTESTER", "SERVER", "STATUS", "PLACE", "POSITION", "ARRIVES", "COINBASE"]]
        for attester in attesters {
            let position: String
            switch attester.place {
            case .providerQueue: position = attester.providerQueuePosition.map { "provider #\($0)" } ?? "-"
            case .entryQueue: position = attester.entryQueuePosition.map { "entry #\($0)" } ?? "-"
            default: position = "-"
            }
            let arrives = attester.place == .entryQueue && timePerAttester == nil ? "bootstrapping" : time(attester.arrivalTimestamp)
            rows.append([attester.address, attester.serverId, attester.status, attester.place.rawValue, position, arrives,
                         attester.coinbase ?? "MISSING"])
        }
        let widths = (0..<7).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = ["\(network) attesters" + (providerId.map { " of provider \($0)" } ?? "") + ":"]
        lines += rows.map { row in
            "  " + row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let summary = AttesterPlace.allCases.map { "\(counts[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        lines.append("total: \(attesters.count) attesters: \(summary); \(missingCoinbaseCount) without coinbase")
        if timePerAttester == nil {
            lines.append("the entry queue is bootstrapping (flush size 0): no attester is flushed per epoch yet, so there is no arrival time")
        }
        if providerId == nil {
            lines.append("no staking provider configured (AZTEC_STAKING_PROVIDER_ID): the provider queue was not read")
        }
        return lines
    }
}

/// Reads what ``AttesterPlacementReport`` needs in a few batched requests: the rollup's queue
/// parameters (one request), every attester's view (Multicall3, 500 per aggregate, all
/// aggregates in one JSON-RPC batch), the entry queue and the provider's queue (each pinned to a
/// block and read in one batch). 5,000 attesters cost about ten HTTP requests.
public struct AttesterPlacementCollector: Sendable {
    /// The checked nodes.
    public let context: ChainContext
    /// The StakingRegistry; `nil` skips the provider queue.
    public let stakingRegistry: EthereumAddress?

    /// Creates the collector.
    public init(context: ChainContext, stakingRegistry: EthereumAddress?) {
        self.context = context
        self.stakingRegistry = stakingRegistry
    }

    /// Reads the chain and places every attester of `keys`; the provider queue is read only
    /// when both `providerId` and the registry are known.
    public func collect(network: String, providerId: UInt64?, keys: MergedKeys, now: Date = Date()) async throws -> AttesterPlacementReport {
        let rollup = RollupReader(client: context.ethereum, rollup: context.rollup, strategy: context.strategy)
        let parameters = try await rollup.queueParameters()
        let addresses = keys.attesters.map(\.address.address)
        let views = try await rollup.attesterViews(of: addresses)
        var statuses: [EthereumAddress: AttesterView.Status] = [:]
        for view in views { statuses[view.attester] = view.status }
        let entryQueue = try await rollup.entryQueue().map(\.attester)
        var providerQueue: [EthereumAddress]?
        if let providerId, let stakingRegistry {
            let registry = StakingRegistryReader(client: context.ethereum, registry: stakingRegistry, strategy: context.strategy)
            providerQueue = try await registry.providerQueue(providerId).map(\.attester)
        }
        return AttesterPlacementReport(network: network, providerId: providerId, keys: keys, statuses: statuses,
                                       providerQueue: providerQueue, entryQueue: entryQueue, parameters: parameters, now: now)
    }
}
