import FleetKit
import Foundation

/// The monitoring server's files from the inventory (`aztec-fleet monitoring-config`):
/// Prometheus' configuration, the node, Butler and Gonka status targets (file_sd), the node,
/// Butler and Gonka node alert rules, and Alertmanager's configuration with the Telegram receivers and the paging
/// policy. Every file is written atomically, so a running Prometheus reloads whole files.
/// With no Aztec node and Gonka status targets, the bundle watches the Gonka nodes only (the
/// Aztec and Butler target files are empty).
///
/// ```swift
/// let telegram = TelegramReceiver(tokenFile: URL(fileURLWithPath: "/etc/aztec/telegram.token"), chatID: -1001234567890)
/// let report = try MonitoringServerFiles(nodes: inventory.hosts, settings: MonitoringServerSettings(telegram: telegram),
///                                        outputDirectory: URL(fileURLWithPath: "/etc/prometheus/aztec")).run()
/// ```
public struct MonitoringServerFiles: Sendable {
    /// The nodes to scrape: name and address of each.
    public var nodes: [RemoteHost]
    /// Ports, targets, thresholds, paging policy and the Telegram chat.
    public var settings: MonitoringServerSettings
    /// The folder the files go to (created when missing).
    public var outputDirectory: URL
    /// The files' names inside it.
    public var names: MonitoringFileNames

    /// Creates the job.
    public init(nodes: [RemoteHost], settings: MonitoringServerSettings, outputDirectory: URL, names: MonitoringFileNames = MonitoringFileNames()) {
        self.nodes = nodes
        self.settings = settings
        self.outputDirectory = outputDirectory
        self.names = names
    }

    /// Writes every file and says what each is.
    ///
    /// - Throws: ``MonitoringSettingError`` for a setting that cannot work (nothing is
    ///   written then); ``AtomicFileError`` when a file cannot be written.
    public func run() throws -> MonitoringFilesReport {
        var settings = try settings.checked()
        guard !nodes.isEmpty || !settings.gonkaStatusTargets.isEmpty else {
            throw MonitoringSettingError(.gonkaStatusTarget, "nothing to monitor: no Aztec node and no Gonka status gauges")
        }
        // Without Aztec nodes the bundle watches Gonka nodes only: the Butler, which watches Aztec attesters, is not scraped.
        if nodes.isEmpty { settings.butlerTargets = [] }
        let token = try settings.telegram.token()
        let rules = NodeAlertRules.rules(settings.thresholds)
        let butlerGroups = [PrometheusConfiguration.TargetGroup(targets: settings.butlerTargets, labels: [:])].filter { !$0.targets.isEmpty }
        // No target label: the gauges' own `node` label (the Gonka KEY_NAME) must stay as it is.
        let gonkaGroups = [PrometheusConfiguration.TargetGroup(targets: settings.gonkaStatusTargets, labels: [:])].filter { !$0.targets.isEmpty }
        let gonkaRules = GonkaNodeAlertRules.rules()
        let files: [(String, Data, UInt16, String)] = [
            (names.nodeTargets, try PrometheusConfiguration.json(PrometheusConfiguration.nodeTargets(nodes, port: settings.exporterPort)), 0o644,
             nodes.isEmpty ? "no Aztec node to scrape" : "node_exporter on \(nodes.count) node(s), labelled node=<inventory name>"),
            (names.butlerTargets, try PrometheusConfiguration.json(butlerGroups), 0o644,
             nodes.isEmpty ? "no Butler to scrape (no Aztec node)" : "aztec-butler serve at \(settings.butlerTargets.joined(separator: ", "))"),
            (names.nodeRules, Data(NodeAlertRules.yaml(rules, policy: settings.policy).utf8), 0o644, "\(rules.count) node alert rules"),
            (names.butlerRules, Data(ButlerAlertRules.text.utf8), 0o644, "the Butler's alert rules"),
            (names.gonkaTargets, try PrometheusConfiguration.json(gonkaGroups), 0o644,
             settings.gonkaStatusTargets.isEmpty ? "no Gonka status gauges to scrape" : "Gonka status gauges at \(settings.gonkaStatusTargets.joined(separator: ", "))"),
            (names.gonkaRules, Data(GonkaNodeAlertRules.yaml(policy: settings.policy).utf8), 0o644, "\(gonkaRules.count) Gonka node alert rules"),
            (names.prometheus, Data(PrometheusConfiguration.text(settings, files: names).utf8), 0o644, "Prometheus configuration"),
            (names.alertmanager, Data(AlertmanagerConfiguration.text(telegram: settings.telegram, token: token, policy: settings.policy,
                                                                     timings: settings.alertmanagerTimings).utf8), 0o600,
             "Alertmanager configuration: Telegram chat \(settings.telegram.chatID), pages and warnings"),
        ]
        var written: [MonitoringFilesReport.File] = []
        for (name, data, mode, purpose) in files {
            let url = outputDirectory.appendingPathComponent(name)
            try AtomicFile.createDirectory(url.deletingLastPathComponent())
            try AtomicFile.write(data, to: url, mode: mode)
            written.append(MonitoringFilesReport.File(path: url.path, purpose: purpose, mode: String(mode, radix: 8)))
        }
        let alerts = rules.map(\.name) + ButlerAlertRules.alertNames + gonkaRules.map(\.name)
        return MonitoringFilesReport(directory: outputDirectory.path, files: written, nodes: nodes.map(\.name),
                                     pagingAlerts: alerts.filter { settings.policy.severity(of: $0) == .page },
                                     warningAlerts: alerts.filter { settings.policy.severity(of: $0) == .warning })
    }
}

/// What ``MonitoringServerFiles`` wrote.
public struct MonitoringFilesReport: Sendable, Codable, Equatable {
    /// One file written.
    public struct File: Sendable, Codable, Equatable {
        /// Its path.
        public var path: String
        /// What it is for.
        public var purpose: String
        /// Its mode, in octal (`600` for the file holding the bot token).
        public var mode: String
    }

    /// The folder.
    public var directory: String
    /// The files, in the order written.
    public var files: [File]
    /// The nodes in the targets.
    public var nodes: [String]
    /// Alerts that page.
    public var pagingAlerts: [String]
    /// Alerts that warn.
    public var warningAlerts: [String]

    /// Lines for people.
    public var lines: [String] {
        files.map { "wrote \($0.path) (mode \($0.mode)): \($0.purpose)" } + [
            "pages: \(pagingAlerts.joined(separator: ", "))",
            "warns: \(warningAlerts.joined(separator: ", "))",
        ]
    }
}
