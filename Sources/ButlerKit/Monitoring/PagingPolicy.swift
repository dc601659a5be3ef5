/// Which alerts page a person and which only warn: the Alertmanager route of each alert,
/// and the `severity` label of the node rules.
public struct PagingPolicy: Sendable, Equatable, Codable {
    /// How loud an alert is.
    public enum Severity: String, Sendable, Codable {
        /// Sent with sound, repeated often: someone must act now.
        case page
        /// Sent silently, repeated rarely.
        case warning
    }

    /// The alerts that page; every other alert warns.
    public var pagingAlerts: [String]

    /// The default policy: a node down or unreachable, stalled blocks, an attester missing
    /// duties, a publisher short of ETH, a disk past its threshold; a Gonka node down or its
    /// validator jailed.
    public static let standard = PagingPolicy(pagingAlerts: [
        "AztecNodeUnreachable", "AztecNodeDown", "AztecNodeBlocksStalled", "AztecNodeDiskFull",
        "AztecMissedAttestationsRising", "AztecPublisherLowBalance", "AztecPublisherEmpty",
    ] + GonkaNodeAlertRules.pagingAlerts)

    /// Creates a policy paging on `pagingAlerts`.
    public init(pagingAlerts: [String]) {
        self.pagingAlerts = pagingAlerts
    }

    /// How loud `alert` is.
    public func severity(of alert: String) -> Severity {
        pagingAlerts.contains(alert) ? .page : .warning
    }
}
