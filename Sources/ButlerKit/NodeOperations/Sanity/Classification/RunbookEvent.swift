/// The events of the runbook's issue matrices that a sanity check can see, each with the
/// action the matrices give. Four of them are the runbook's conditions of network
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
        }
    }

    /// Whether the runbook counts this event, when it affects the network, among the
    /// conditions of network instability (block production stalls, proof generation
    /// failures, node synchronization problems, persistent crashes).
    public var isInstabilityCondition: Bool {
        switch self {
        case .blockProductionStall, .proofGenerationFailure, .syncProblem, .persistentCrashes: true
        default: false
        }
    }

    /// The matrices' action for a finding of this event at `criticality`.
    public func matrixAction(_ criticality: Criticality) -> String {
        switch criticality {
        case .blocker where isInstabilityCondition:
            "Network instability: create a detailed issue report for the Alpha team."
        case .blocker:
            "Escalate to the Delta team (deployment issue)."
        case .critical:
            "Act now: fix the node or escalate to the Delta team when it is network-wide."
        case .major:
            "Node stability issue: collect logs and create an issue (Delta team)."
        case .minor:
            "Minor operational issue: create a tracking issue."
        }
    }
}
