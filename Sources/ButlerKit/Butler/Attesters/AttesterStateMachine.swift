/// Where an attester of the provider is in its life, as the original Butler's daemon tracks it.
public enum AttesterState: String, Sendable, Codable, CaseIterable {
    /// In the keys files, not yet seen on chain.
    case new = "NEW"
    /// Waiting in the staking provider's queue on the StakingRegistry.
    case inStakingProviderQueue = "IN_STAKING_PROVIDER_QUEUE"
    /// Dripped into the rollup's entry queue, waiting to be flushed into the validator set.
    case rollupEntryQueue = "ROLLUP_ENTRY_QUEUE"
    /// In the validator set (on-chain status VALIDATING).
    case active = "ACTIVE"
    /// Left the validator set; terminal.
    case noLongerActive = "NO_LONGER_ACTIVE"
}

/// What is known about one attester at one moment.
public struct AttesterObservation: Sendable, Equatable {
    /// Whether the attester is in the staking provider's queue (address compared case-insensitively).
    public var isInProviderQueue: Bool
    /// Whether the attester is in the rollup's entry queue. Membership, not balance: a queued
    /// attester reads status NONE with balance 0 until it is flushed.
    public var isInEntryQueue: Bool
    /// The status `getAttesterView` gives.
    public var onChainStatus: AttesterView.Status

    /// Creates an observation.
    public init(isInProviderQueue: Bool, isInEntryQueue: Bool, onChainStatus: AttesterView.Status) {
        self.isInProviderQueue = isInProviderQueue
        self.isInEntryQueue = isInEntryQueue
        self.onChainStatus = onChainStatus
    }
}

/// The next state and why, when it changed.
public struct AttesterTransition: Sendable, Equatable {
    /// The state after the observation.
    public var state: AttesterState
    /// Why the state changed; `nil` when it did not.
    public var reason: String?

    /// Creates a transition.
    public init(state: AttesterState, reason: String?) {
        self.state = state
        self.reason = reason
    }
}

/// The attester state machine of the seed README, as a pure function of the previous state
/// and one observation:
///
/// NEW → IN_STAKING_PROVIDER_QUEUE → ROLLUP_ENTRY_QUEUE → ACTIVE → NO_LONGER_ACTIVE, with
/// IN_STAKING_PROVIDER_QUEUE → ACTIVE directly when the attester is seen VALIDATING.
///
/// - VALIDATING is ACTIVE from any state but the terminal one.
/// - ZOMBIE or EXITING means it was in the validator set and is leaving: NO_LONGER_ACTIVE.
/// - With status NONE, entry-queue membership gives ROLLUP_ENTRY_QUEUE and provider-queue
///   membership IN_STAKING_PROVIDER_QUEUE. An ACTIVE attester that reads NONE and is in no
///   queue has left: NO_LONGER_ACTIVE. Any other attester in no queue keeps its state — a
///   queued attester reads NONE until it is flushed, and calling it gone (as later versions
///   of the original did) would be wrong.
/// - NO_LONGER_ACTIVE is terminal.
public enum AttesterStateMachine {
    /// The state after `observation`, given `previous` (`nil` for an attester seen for the first time).
    public static func next(from previous: AttesterState?, observing observation: AttesterObservation) -> AttesterTransition {
        let current = previous ?? .new
        func moved(_ state: AttesterState, _ reason: String) -> AttesterTransition {
            AttesterTransition(state: state, reason: state == current && previous != nil ? nil : reason)
        }
        if current == .noLongerActive { return AttesterTransition(state: .noLongerActive, reason: nil) }
        switch observation.onChainStatus {
        case .validating:
            return moved(.active, "the rollup reports it VALIDATING")
        case .zombie, .exiting:
            return moved(.noLongerActive, "the rollup reports it \(observation.onChainStatus), leaving the validator set")
        case .none:
            if observation.isInEntryQueue { return moved(.rollupEntryQueue, "it is in the rollup's entry queue") }
            if observation.isInProviderQueue { return moved(.inStakingProviderQueue, "it is in the staking provider's queue") }
            if current == .active { return moved(.noLongerActive, "it was active and is now in no queue with status NONE") }
            return AttesterTransition(state: current, reason: previous == nil ? "first seen; not on chain yet" : nil)
        }
    }
}
