import FleetKit
import Foundation

/// What the monitoring server's files say beyond the node list: where the exporters and the
/// Butler listen, where alerts go, the thresholds and the paging policy.
public struct MonitoringServerSettings: Sendable {
    /// The port node_exporter listens on, on each node's inventory address.
    public var exporterPort: Int
    /// `host:port` of each `aztec-butler serve` to scrape (job `aztec-butler`).
    public var butlerTargets: [String]
    /// `host:port` of each node_exporter serving the gauges of `gonka-deploy status
    /// --prometheus` (job `gonka-status`); empty when no Gonka node is watched.
    public var gonkaStatusTargets: [String]
    /// Path, on the monitoring server, of a file holding the Butler's metrics bearer token
    /// alone; `nil` scrapes without a token (a Butler on loopback).
    public var butlerTokenFile: String?
    /// `host:port` of the Alertmanager Prometheus sends alerts to.
    public var alertmanagerTarget: String
    /// How often Prometheus scrapes, in seconds.
    public var scrapeIntervalSeconds: Int
    /// How often Prometheus evaluates the rules, in seconds.
    public var evaluationIntervalSeconds: Int
    /// The node rules' thresholds and holds.
    public var thresholds: AlertThresholds
    /// Which alerts page.
    public var policy: PagingPolicy
    /// The Telegram chat that receives the alerts.
    public var telegram: TelegramReceiver
    /// How Alertmanager batches and repeats.
    public var alertmanagerTimings: AlertmanagerTimings

    /// Creates the settings; the defaults suit a monitoring server that also runs the Butler
    /// and Alertmanager on loopback.
    public init(telegram: TelegramReceiver, exporterPort: Int = 9100, butlerTargets: [String] = ["127.0.0.1:9464"],
                gonkaStatusTargets: [String] = [], butlerTokenFile: String? = nil, alertmanagerTarget: String = "127.0.0.1:9093",
                scrapeIntervalSeconds: Int = 30, evaluationIntervalSeconds: Int = 30,
                thresholds: AlertThresholds = AlertThresholds(), policy: PagingPolicy = .standard,
                alertmanagerTimings: AlertmanagerTimings = AlertmanagerTimings()) {
        self.telegram = telegram
        self.exporterPort = exporterPort
        self.butlerTargets = butlerTargets
        self.gonkaStatusTargets = gonkaStatusTargets
        self.butlerTokenFile = butlerTokenFile
        self.alertmanagerTarget = alertmanagerTarget
        self.scrapeIntervalSeconds = scrapeIntervalSeconds
        self.evaluationIntervalSeconds = evaluationIntervalSeconds
        self.thresholds = thresholds
        self.policy = policy
        self.alertmanagerTimings = alertmanagerTimings
    }

    /// The settings after checking every value can work.
    ///
    /// - Throws: ``MonitoringSettingError`` naming the first that cannot.
    func checked() throws(MonitoringSettingError) -> MonitoringServerSettings {
        guard (1...65_535).contains(exporterPort) else { throw MonitoringSettingError(.exporterPort, "\(exporterPort) is not a TCP port (1-65535)") }
        for target in butlerTargets where !Self.isTarget(target) {
            throw MonitoringSettingError(.butlerTarget, "'\(TerminalText.quoted(target))' is not host:port")
        }
        for target in gonkaStatusTargets where !Self.isTarget(target) {
            throw MonitoringSettingError(.gonkaStatusTarget, "'\(TerminalText.quoted(target))' is not host:port")
        }
        guard Self.isTarget(alertmanagerTarget) else {
            throw MonitoringSettingError(.alertmanagerTarget, "'\(TerminalText.quoted(alertmanagerTarget))' is not host:port")
        }
        if let file = butlerTokenFile, !file.hasPrefix("/") || file.contains(where: \.isNewline) {
            throw MonitoringSettingError(.butlerTokenFile, "'\(TerminalText.quoted(file))' is not an absolute path on the monitoring server")
        }
        if let api = telegram.apiURL, !["http", "https"].contains(api.scheme?.lowercased() ?? "") || api.host == nil {
            throw MonitoringSettingError(.telegramAPI, "'\(URLCredentials.masked(api.absoluteString))' is not an http(s) URL")
        }
        guard telegram.chatID != 0 else { throw MonitoringSettingError(.telegramChat, "0 is not a Telegram chat id") }
        for (value, what) in [(scrapeIntervalSeconds, "scrape interval"), (evaluationIntervalSeconds, "rule evaluation interval")] where value < 1 {
            throw MonitoringSettingError(.timing, "the \(what) must be at least one second, not \(value)")
        }
        _ = try thresholds.checked()
        return self
    }

    /// Whether `text` is `host:port` (a bracketed IPv6 host included).
    static func isTarget(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return false }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()); return ConfigValueText.isIPv6(host) }
        return ConfigValueText.isIPv4(host) || ConfigValueText.isHostname(host)
    }
}
