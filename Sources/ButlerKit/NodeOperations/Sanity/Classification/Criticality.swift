/// How urgent a finding is, in the four grades of the runbook's issue matrices.
public enum Criticality: String, Sendable, Codable, CaseIterable, Comparable {
    /// Small operational issue: create a tracking issue.
    case minor = "Minor"
    /// Needs work soon, such as node stability issues: collect logs and create an issue.
    case major = "Major"
    /// Network-wide or node-stopping problem: escalate now.
    case critical = "Critical"
    /// Stops the release or the network: network instability, deployment issues.
    case blocker = "Blocker"

    /// Minor < Major < Critical < Blocker.
    public static func < (lhs: Criticality, rhs: Criticality) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// Whether a finding of this grade fails the check (exit 1): Critical and Blocker.
    public var failsCheck: Bool { self >= .critical }

    /// Reads a grade written in any letter case ("blocker", "Blocker").
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = found
    }
}

/// The grades of Aztec's log catalogue (operators' reference "Reading your logs").
public enum CatalogueGrade: String, Sendable, Codable, CaseIterable {
    /// Routine, no action needed.
    case ignore = "Ignore"
    /// May indicate a problem: check the named thing before deciding.
    case investigate = "Investigate"
    /// Act now: the node is not working correctly and rewards or stake are at risk.
    case urgent = "Urgent"

    /// Reads a grade written in any letter case.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else { return nil }
        self = found
    }
}
