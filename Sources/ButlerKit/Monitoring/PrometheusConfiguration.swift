import FleetKit
import Foundation

/// The Prometheus side of the monitoring server: its configuration and the file_sd target
/// lists it reloads whenever they change.
enum PrometheusConfiguration {
    /// One file_sd entry: targets and the labels they get.
    struct TargetGroup: Codable, Equatable {
        var targets: [String]
        var labels: [String: String]
    }

    /// `address:port` with an IPv6 address in brackets.
    static func target(_ address: String, port: Int) -> String {
        ConfigValueText.isIPv6(address) ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// One entry per node, labelled with its inventory name (`node`).
    static func nodeTargets(_ nodes: [RemoteHost], port: Int) -> [TargetGroup] {
        nodes.map { TargetGroup(targets: [target($0.address, port: port)], labels: ["node": $0.name]) }
    }

    /// The file_sd JSON of `groups`.
    static func json(_ groups: [TargetGroup]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(groups) + Data("\n".utf8)
    }

    /// prometheus.yml: the node, Butler and Gonka status jobs over their file_sd files, the rules files,
    /// alerts to Alertmanager. Paths are relative to its own folder.
    static func text(_ settings: MonitoringServerSettings, files: MonitoringFileNames) -> String {
        var lines = [
            "# Written by aztec-fleet monitoring-config; changes are overwritten by the next run.",
            "global:",
            "  scrape_interval: \(settings.scrapeIntervalSeconds)s",
            "  evaluation_interval: \(settings.evaluationIntervalSeconds)s",
            "rule_files:",
            "  - \(YAMLText.quoted(files.nodeRules))",
            "  - \(YAMLText.quoted(files.butlerRules))",
            "  - \(YAMLText.quoted(files.gonkaRules))",
            "alerting:",
            "  alertmanagers:",
            "    - static_configs:",
            "        - targets: [\(YAMLText.quoted(settings.alertmanagerTarget))]",
            "scrape_configs:",
            "  # node_exporter on every node of servers.csv, with the collector's aztec_node_* gauges.",
            "  - job_name: \(NodeAlertRules.nodeJob)",
            "    file_sd_configs:",
            "      - files: [\(YAMLText.quoted(files.nodeTargets))]",
            "  # aztec-butler serve.",
            "  - job_name: aztec-butler",
        ]
        if let token = settings.butlerTokenFile {
            lines += ["    authorization:", "      type: Bearer", "      credentials_file: \(YAMLText.quoted(token))"]
        }
        lines += ["    file_sd_configs:", "      - files: [\(YAMLText.quoted(files.butlerTargets))]"]
        lines += [
            "  # node_exporter serving the gauges of gonka-deploy status --prometheus (gonka_*, label node=<KEY_NAME>).",
            "  - job_name: \(GonkaNodeAlertRules.job)",
            "    file_sd_configs:",
            "      - files: [\(YAMLText.quoted(files.gonkaTargets))]",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The files of the monitoring server, relative to its folder.
public struct MonitoringFileNames: Sendable, Equatable, Codable {
    /// Prometheus' configuration.
    public var prometheus = "prometheus.yml"
    /// The node targets (file_sd).
    public var nodeTargets = "targets/aztec-nodes.json"
    /// The Butler targets (file_sd).
    public var butlerTargets = "targets/aztec-butler.json"
    /// The node_exporter(s) serving the Gonka status gauges (file_sd).
    public var gonkaTargets = "targets/gonka-status.json"
    /// The Gonka node alert rules.
    public var gonkaRules = "rules/gonka-nodes.yml"
    /// The node alert rules.
    public var nodeRules = "rules/aztec-nodes.yml"
    /// The Butler's alert rules.
    public var butlerRules = "rules/aztec-butler.yml"
    /// Alertmanager's configuration (mode 0600: it holds the bot token).
    public var alertmanager = "alertmanager.yml"

    /// The standard names.
    public init() {}
}
