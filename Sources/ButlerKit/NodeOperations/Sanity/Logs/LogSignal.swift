/// What a log signal is evidence of.
public enum LogSignalKind: String, Sendable, Codable, CaseIterable {
    /// A runbook marker of a component at work (block processing, epoch proving …).
    case marker
    /// A runbook failure marker or a failure message (FINDNODE failures, failed epoch proofs).
    case failure
    /// A message of Aztec's log catalogue, with its grade.
    case catalogue
    /// A crash: the process died or is about to (out of memory, segfault, uncaught exception).
    case crash
    /// The node starting; more than one start in a log means it restarted.
    case start
    /// The node pruning or unwinding its chain (a reorg); each such event counts once per
    /// signal, and the node's reorgs are the most any one reorg signal counted.
    case reorg
}

/// One thing the log scanner looks for: a fixed piece of text, the node roles it belongs
/// to and what its presence, or its absence, means. Signals are data: see ``LogSignalTable``.
public struct LogSignal: Sendable, Codable, Equatable {
    /// A stable name, such as `block-processing`; a table holds each name once.
    public var id: String
    /// What the text is evidence of.
    public var kind: LogSignalKind
    /// The text looked for anywhere in a line, case-sensitively (at least 3 bytes).
    public var text: String
    /// The roles whose logs carry it; empty for every role.
    public var roles: [NodeRole]
    /// What it is, for people ("Block processing").
    public var title: String
    /// The runbook event a finding raised by this signal belongs to.
    public var event: RunbookEvent?
    /// The catalogue's grade, for catalogue messages.
    public var grade: CatalogueGrade?
    /// The criticality of the finding raised when the text appears; `nil` only counts it.
    public var whenSeen: Criticality?
    /// The criticality of the finding raised when a node of one of ``roles`` never logged
    /// it; `nil` when its absence means nothing.
    public var whenMissing: Criticality?
    /// What to do about a finding it raised.
    public var action: String

    /// Creates a signal.
    public init(id: String, kind: LogSignalKind, text: String, roles: [NodeRole] = [], title: String, event: RunbookEvent? = nil,
                grade: CatalogueGrade? = nil, whenSeen: Criticality? = nil, whenMissing: Criticality? = nil, action: String = "") {
        self.id = id
        self.kind = kind
        self.text = text
        self.roles = roles
        self.title = title
        self.event = event
        self.grade = grade
        self.whenSeen = whenSeen
        self.whenMissing = whenMissing
        self.action = action
    }

    /// Whether it belongs to the logs of `role`.
    public func applies(to role: NodeRole) -> Bool { roles.isEmpty || roles.contains(role) }
}
