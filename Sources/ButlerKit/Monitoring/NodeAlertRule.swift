/// One Prometheus alert rule about the nodes, from the gauges the collector writes on each
/// node (`aztec_node_*`) and Prometheus' own `up`.
public struct NodeAlertRule: Sendable, Equatable, Codable {
    /// The alert's name (`AztecNodeDown`).
    public var name: String
    /// The PromQL expression; every series it returns is one alert.
    public var expression: String
    /// How long the expression must hold before the alert fires, in seconds.
    public var holdSeconds: Int
    /// One line for the notification, with `{{ $labels.node }}` naming the node.
    public var summary: String
    /// What it means and what to do.
    public var description: String

    /// Creates a rule.
    public init(name: String, expression: String, holdSeconds: Int, summary: String, description: String) {
        self.name = name
        self.expression = expression
        self.holdSeconds = holdSeconds
        self.summary = summary
        self.description = description
    }
}

/// The node alert rules: the original toolkit's Zabbix checks and template triggers, as
/// Prometheus rules over the collector's gauges.
public enum NodeAlertRules {
    /// The job name of the node_exporter targets.
    public static let nodeJob = "aztec-node"

    /// Every node rule with `thresholds`' numbers; a hold override replaces each rule's `for:`.
    public static func rules(_ thresholds: AlertThresholds) -> [NodeAlertRule] {
        let t = thresholds
        let stall = t.stallSeconds
        let rules = [
            NodeAlertRule(
                name: "AztecNodeUnreachable", expression: "up{job=\"\(nodeJob)\"} == 0", holdSeconds: 300,
                summary: "Node {{ $labels.node }} cannot be scraped",
                description: "Prometheus has not reached node_exporter on {{ $labels.node }} ({{ $labels.instance }}) for 5 minutes: the server is down, unreachable, or its exporter stopped. Check the server, then systemctl status prometheus-node-exporter on it."),
            NodeAlertRule(
                name: "AztecNodeDown", expression: "aztec_node_service_up == 0", holdSeconds: 120,
                summary: "Aztec node on {{ $labels.node }} is not running",
                description: "The Aztec node on {{ $labels.node }} is not running: its container or systemd service is down. Start it (aztec-fleet restart) and read its log."),
            NodeAlertRule(
                name: "AztecNodeRPCDown", expression: "aztec_node_rpc_up == 0 and aztec_node_service_up == 1", holdSeconds: 300,
                summary: "Aztec node on {{ $labels.node }} does not answer its RPC",
                description: "The Aztec node on {{ $labels.node }} runs but has not answered node_getL2Tips on its loopback RPC for 5 minutes. It may be starting or stuck: read its log."),
            NodeAlertRule(
                name: "AztecNodeBlocksStalled", expression: "aztec_node_rpc_up == 1 and changes(aztec_node_latest_block[\(stall)s]) == 0", holdSeconds: 300,
                summary: "Blocks stalled on {{ $labels.node }}",
                description: "The newest block of the Aztec node on {{ $labels.node }} has not changed for \(stall / 60) minutes while its RPC answers. Check its L1 RPC and peers, and whether the network itself stalled (aztec-fleet sanity)."),
            NodeAlertRule(
                name: "AztecNodeBehindFleet", expression: "scalar(max(aztec_node_proven_block)) - aztec_node_proven_block > \(t.blocksBehind)", holdSeconds: 600,
                summary: "Node {{ $labels.node }} trails the fleet by {{ $value }} proven blocks",
                description: "The proven block of {{ $labels.node }} is {{ $value }} blocks behind the fleet's best node (more than \(t.blocksBehind)): it is not synced. Compare with aztec-fleet sync."),
            NodeAlertRule(
                name: "AztecNodeNotReady", expression: "aztec_node_ready == 0", holdSeconds: 600,
                summary: "Aztec node on {{ $labels.node }} is not ready",
                description: "The Aztec node on {{ $labels.node }} answers node_isReady false: it is still syncing or its world state is not ready."),
            NodeAlertRule(
                name: "AztecNodeRestarting", expression: "increase(aztec_node_service_restarts_total[1h]) >= \(t.restartsPerHour)", holdSeconds: 0,
                summary: "Aztec node on {{ $labels.node }} restarted {{ $value }} times in an hour",
                description: "The Aztec node on {{ $labels.node }} restarted at least \(t.restartsPerHour) times in the last hour: it is crash-looping. Read its log (aztec-fleet sanity)."),
            NodeAlertRule(
                name: "AztecNodeFewPeers", expression: "aztec_node_peers < \(t.minimumPeers) and aztec_node_service_up == 1", holdSeconds: 900,
                summary: "Aztec node on {{ $labels.node }} has {{ $value }} peers",
                description: "The Aztec node on {{ $labels.node }} has fewer than \(t.minimumPeers) connections on its P2P port: gossip and attestations suffer. Check that 40400 tcp and udp are reachable and the advertised IP is right."),
            NodeAlertRule(
                name: "AztecNodeNoAttesters", expression: "aztec_node_attesters == 0", holdSeconds: 600,
                summary: "Aztec node on {{ $labels.node }} has no attester keys",
                description: "No validator key is configured for the Aztec node on {{ $labels.node }} (keystore, .env or start script): it attests for nobody. Deploy its keys (aztec-fleet update-keys)."),
            NodeAlertRule(
                name: "AztecNodeDiskFull", expression: "aztec_node_data_disk_used_ratio > \(t.diskUsedRatio)", holdSeconds: 300,
                summary: "Disk of {{ $labels.node }} is {{ $value | humanizePercentage }} full",
                description: "The filesystem holding the Aztec node's data folder on {{ $labels.node }} is more than \(Int((t.diskUsedRatio * 100).rounded())) % full. Free space or grow the disk before the node stops."),
            NodeAlertRule(
                name: "AztecNodeCollectorStale",
                expression: "time() - aztec_node_collector_last_run_timestamp_seconds > \(t.collectorStaleSeconds) or (up{job=\"\(nodeJob)\"} == 1 unless on(job, instance) aztec_node_collector_last_run_timestamp_seconds)",
                holdSeconds: 300,
                summary: "Aztec gauges of {{ $labels.node }} are stale",
                description: "The collector on {{ $labels.node }} has not written the node's gauges for more than \(t.collectorStaleSeconds / 60) minutes, or never: the node alerts cannot see it. Check its timer (systemctl status aztec-node-metrics.timer) or run aztec-fleet monitoring again."),
        ]
        guard let hold = t.holdOverrideSeconds else { return rules }
        return rules.map { rule in
            var rule = rule
            rule.holdSeconds = hold
            return rule
        }
    }

    /// The rules file (`groups:` with one group), each rule's `severity` from `policy`.
    public static func yaml(_ rules: [NodeAlertRule], policy: PagingPolicy) -> String {
        yaml(rules, policy: policy, group: "aztec-nodes", about: "Alerts about the Aztec nodes, from node_exporter's textfile gauges (aztec_node_*).")
    }

    /// A rules file of one group named `group`, `about` saying what its alerts are about.
    static func yaml(_ rules: [NodeAlertRule], policy: PagingPolicy, group: String, about: String) -> String {
        var lines = [
            "# Written by aztec-fleet monitoring-config; changes are overwritten by the next run.",
            "# \(about)",
            "groups:",
            "  - name: \(group)",
            "    rules:",
        ]
        for rule in rules {
            lines += [
                "      - alert: \(rule.name)",
                "        expr: \(YAMLText.quoted(rule.expression))",
                "        for: \(rule.holdSeconds)s",
                "        labels:",
                "          severity: \(policy.severity(of: rule.name).rawValue)",
                "        annotations:",
                "          summary: \(YAMLText.quoted(rule.summary))",
                "          description: \(YAMLText.quoted(rule.description))",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
