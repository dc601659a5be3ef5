import Foundation

/// What a node's JSON-RPC said over the sampling window: its newest and proven blocks at
/// the start and at the end, whether it is ready, its validators' duties, its pending
/// transactions and the blocks themselves (transaction counts, times and identities).
public struct ChainProgress: Sendable, Codable, Equatable {
    /// `node_isReady`, when the node answered it.
    public var ready: Bool?
    /// `node_getBlockNumber` at the start of the window.
    public var startBlock: UInt64?
    /// `node_getBlockNumber` at the end of the window.
    public var endBlock: UInt64?
    /// `node_getProvenBlockNumber` at the start of the window.
    public var startProven: UInt64?
    /// `node_getProvenBlockNumber` at the end of the window.
    public var endProven: UInt64?
    /// Seconds between the two samples.
    public var windowSeconds: Double
    /// Each validator's duties from `node_getValidatorsStats`; `nil` when the node does not
    /// answer it (no sentinel).
    public var validators: [ValidatorDutyRecord]?
    /// `node_getPendingTxCount` at the start of the window; `nil` when the node does not answer it.
    public var startPending: UInt64?
    /// `node_getPendingTxCount` at the end of the window.
    public var endPending: UInt64?
    /// The newest blocks at the start (`node_getBlocks`, up to ``ChainProgressProbe/reorgLookback``
    /// of them); `nil` when the node does not answer it.
    public var startBlocks: [L2BlockSummary]?
    /// At the end: the same heights asked again, then every block that appeared since.
    public var endBlocks: [L2BlockSummary]?
    /// Why a sample is missing: the first failed call.
    public var problem: String?

    /// Creates a record.
    public init(ready: Bool? = nil, startBlock: UInt64? = nil, endBlock: UInt64? = nil, startProven: UInt64? = nil, endProven: UInt64? = nil,
                windowSeconds: Double, validators: [ValidatorDutyRecord]? = nil, problem: String? = nil) {
        self.ready = ready
        self.startBlock = startBlock
        self.endBlock = endBlock
        self.startProven = startProven
        self.endProven = endProven
        self.windowSeconds = windowSeconds
        self.validators = validators
        self.problem = problem
    }

    /// New blocks seen during the window, when both samples exist.
    public var newBlocks: UInt64? {
        guard let startBlock, let endBlock else { return nil }
        return endBlock > startBlock ? endBlock - startBlock : 0
    }

    /// How far the proven chain trails the newest block at the end of the window.
    public var provenLag: UInt64? {
        guard let endBlock, let endProven else { return nil }
        return endBlock > endProven ? endBlock - endProven : 0
    }
}

/// One validator's missed duties as the node's sentinel counts them.
public struct ValidatorDutyRecord: Sendable, Codable, Equatable {
    /// The attester address, 0x-prefixed.
    public var address: String
    /// Slots of the sentinel's window in which it had a duty.
    public var totalSlots: UInt64
    /// Attestations missed in the window.
    public var missedAttestations: UInt64
    /// Attestations missed in a row up to the newest slot.
    public var missedAttestationsStreak: UInt64
    /// Proposals missed in the window.
    public var missedProposals: UInt64
    /// Proposals missed in a row up to the newest slot.
    public var missedProposalsStreak: UInt64

    /// The record of one validator's stats.
    public init(_ stats: ValidatorDutyStats) {
        address = stats.address.description
        totalSlots = stats.totalSlots
        missedAttestations = stats.missedAttestations
        missedAttestationsStreak = stats.missedAttestationsStreak
        missedProposals = stats.missedProposals
        missedProposalsStreak = stats.missedProposalsStreak
    }

    /// The longer of the two current streaks.
    public var longestStreak: UInt64 { max(missedAttestationsStreak, missedProposalsStreak) }
}
