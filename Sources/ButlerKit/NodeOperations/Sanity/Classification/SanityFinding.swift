/// One thing a sanity check found, as a runbook event with its criticality and action.
public struct SanityFinding: Sendable, Codable, Equatable {
    /// The runbook event.
    public var event: RunbookEvent
    /// How urgent it is.
    public var criticality: Criticality
    /// The host it concerns; `nil` for the network as a whole.
    public var host: String?
    /// What was seen, with the numbers.
    public var summary: String
    /// What to do.
    public var action: String
    /// The log signal that raised it, when a log line did.
    public var signal: String?
    /// The first log line that raised it, when one did.
    public var example: String?
    /// The row of the runbook's matrices it falls under (owners and action).
    public var row: RunbookMatrixRow?

    /// Creates a finding.
    public init(event: RunbookEvent, criticality: Criticality, host: String?, summary: String, action: String,
                signal: String? = nil, example: String? = nil, row: RunbookMatrixRow? = nil) {
        self.event = event
        self.criticality = criticality
        self.host = host
        self.summary = summary
        self.action = action
        self.signal = signal
        self.example = example
        self.row = row ?? event.matrixRow(criticality, networkWide: host == nil)
    }

    /// Whether it is one of the runbook's conditions of network instability: an instability
    /// event at Critical or above, found for the network as a whole or, for chain-level
    /// events (a failed epoch proof, persistent reorgs, a bridge failure), on any node.
    public var isInstability: Bool {
        event.isInstabilityCondition && criticality >= .critical && (host == nil || event.isChainLevel)
    }
}
