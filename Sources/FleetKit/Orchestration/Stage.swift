/// One stage of a staged run: a playbook with a name, run on the hosts that passed every
/// stage before it.
public struct Stage: Sendable {
    /// The stage's name, used in logs, the audit log and per-stage log file names.
    public var name: String
    /// What the stage applies.
    public var playbook: Playbook
    /// Whether to close every connection after the stage (not in check mode), so the next
    /// stage logs in afresh; for example after adding the SSH user to a group.
    public var reconnectsAfter: Bool

    /// Creates a stage.
    public init(_ name: String, playbook: Playbook, reconnectsAfter: Bool = false) {
        self.name = name
        self.playbook = playbook
        self.reconnectsAfter = reconnectsAfter
    }
}
