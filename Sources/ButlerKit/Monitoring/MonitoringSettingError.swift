import FleetKit

/// A monitoring setting that cannot work, named by what it is for; a tool renders it with
/// the name of its own option.
public typealias MonitoringSettingError = SettingError<MonitoringSetting>

/// The settings the monitoring jobs check.
public enum MonitoringSetting: String, Sendable, Codable {
    /// The Telegram bot token file.
    case telegramTokenFile
    /// The Telegram chat that receives the alerts.
    case telegramChat
    /// Where Alertmanager sends Telegram requests.
    case telegramAPI
    /// Where the Butler's metrics are scraped.
    case butlerTarget
    /// Where the Gonka status gauges are scraped.
    case gonkaStatusTarget
    /// The file holding the bearer token for the Butler's metrics.
    case butlerTokenFile
    /// Where Prometheus sends alerts.
    case alertmanagerTarget
    /// The port node_exporter listens on.
    case exporterPort
    /// The address node_exporter listens on.
    case exporterAddress
    /// The monitoring server allowed to reach node_exporter.
    case monitoringServer
    /// A path on the servers.
    case remotePath
    /// A threshold or interval of the alert rules or the collector.
    case timing
    /// The folder the files are written to.
    case outputFolder
}
