/// The events of the runbook's issue matrices that a sanity check can see, each with the
/// action the matrices give. Seven of them are the runbook's conditions of network
/// instability when they affect the network.
public enum RunbookEvent: String, Sendable, Codable, CaseIterable {
    /// No new block within the window (network), or a node's chain not moving.
    case blockProductionStall = "block-production-stall"
    /// Epoch proofs failing or the proven chain far behind.
    case proofGenerationFailure = "proof-generation-failure"
    /// A node behind the fleet or the reference, not ready, or not answering.
    case syncProblem = "sync-problem"
    /// The runbook's failure marker of peer discovery (`Failed FINDNODE request`).
    case peerDiscoveryFailure = "peer-discovery-failure"
    /// A node that keeps crashing or restarting.
    case persistentCrashes = "persistent-crashes"
    /// A crash or restart now and then, a stopped container: node stability issues.
    case nodeStability = "node-stability"
    /// A component whose runbook marker never appeared in the log.
    case componentSilent = "component-silent"
    /// A message Aztec's log catalogue grades Urgent or Investigate.
    case catalogueMessage = "catalogue-message"
    /// A validator missing attestations or proposals (the node's sentinel).
    case missedDuties = "missed-duties"
    /// Transactions waiting in the pool while the window's blocks include none.
    case txInclusion = "tx-inclusion-issue"
    /// A block replaced at a height between the samples, or the node pruning its chain.
    case chainReorg = "chain-reorg"
    /// An L1↔L2 message or rollup contract call failing (Inbox, Outbox, portal, rollup errors).
    case bridgeFailure = "bridge-contract-failure"
    /// Fewer transactions per second than the minimum asked for.
    case lowThroughput = "low-throughput"
    /// A server whose installation failed, from an install report.
    case deploymentIssue = "deployment-issue"

    /// The event's name for people.
    public var title: String {
        switch self {
        case .blockProductionStall: "block production stall"
        case .proofGenerationFailure: "proof generation failure"
        case .syncProblem: "sync problem"
        case .peerDiscoveryFailure: "peer discovery failures"
        case .persistentCrashes: "persistent crashes"
        case .nodeStability: "node stability issue"
        case .componentSilent: "component silent"
        case .catalogueMessage: "catalogue message"
        case .missedDuties: "missed duties"
        case .txInclusion: "transaction inclusion issue"
        case .chainReorg: "chain reorgs"
        case .bridgeFailure: "bridge contract failure"
        case .lowThroughput: "low throughput"
        case .deploymentIssue: "deployment issue"
        }
    }

    /// Whether the runbook counts this event, when it affects the network, among the seven
    /// conditions of network instability (block production stalls, proof generation
    /// failures, transaction inclusion issues, node synchronization problems, persistent
    /// crashes, persistent chain reorgs, bridge contract failures).
    public var isInstabilityCondition: Bool {
        switch self {
        case .blockProductionStall, .proofGenerationFailure, .txInclusion, .syncProblem, .persistentCrashes, .chainReorg, .bridgeFailure: true
        default: false
        }
    }

    /// Whether one node seeing it is evidence about the chain everyone shares (a failed epoch
    /// proof, a pruned chain, a bridge call failing) rather than about that node alone.
    public var isChainLevel: Bool {
        switch self {
        case .blockProductionStall, .proofGenerationFailure, .txInclusion, .chainReorg, .bridgeFailure: true
        default: false
        }
    }

    /// The matrix row a finding of this event at `criticality` falls under: network-wide
    /// findings under "Network-wide problems", bridge failures under "Bridge/Contract
    /// issues", deployment failures under "Deployment issues", a node's findings under
    /// "Node stability issues" (Major and above) or "Minor operational issues".
    public func matrixRow(_ criticality: Criticality, networkWide: Bool) -> RunbookMatrixRow {
        switch self {
        case .deploymentIssue: .deploymentIssues
        case .bridgeFailure: .bridgeContractIssues
        default: networkWide ? .networkWideProblems : criticality >= .major ? .nodeStabilityIssues : .minorOperationalIssues
        }
    }

    /// The matrices' action for a node's finding of this event at `criticality`.
    public func matrixAction(_ criticality: Criticality) -> String {
        let row = matrixRow(criticality, networkWide: false)
        switch criticality {
        case .critical where row == .nodeStabilityIssues:
            return "Act now: fix the node; collect logs and create an issue (Delta Team), and escalate to the Delta team when it is network-wide."
        default:
            return row.phrase
        }
    }
}
