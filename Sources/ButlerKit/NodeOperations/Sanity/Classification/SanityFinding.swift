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

    /// Creates a finding.
    public init(event: RunbookEvent, criticality: Criticality, host: String?, summary: String, action: String,
                signal: String? = nil, example: String? = nil) {
        self.event = event
        self.criticality = criticality
        self.host = host
        self.summary = summary
        self.action = action
        self.signal = signal
        self.example = example
    }

    /// Whether it is one of the runbook's conditions of network instability: an instability
    /// event at Blocker.
    public var isInstability: Bool { criticality == .blocker && event.isInstabilityCondition }
}
