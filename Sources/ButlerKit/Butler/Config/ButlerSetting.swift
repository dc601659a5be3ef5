import FleetKit

/// The variables of the original Butler's `{network}-base.env`, with their defaults.
///
/// Each can be given directly for a run (on a command line, say; never the secret token), or
/// come from the process environment, the network's file, or its default, in that order.
public enum ButlerSetting: String, CaseIterable, Sendable, Hashable, Codable {
    /// This server's id in keys file names (default `server-01`).
    case serverId = "SERVER_ID"
    /// The L1 chain id the nodes must be on; checked against the Aztec node when set.
    case ethereumChainId = "ETHEREUM_CHAIN_ID"
    /// L1 JSON-RPC URL (default `http://localhost:8545`).
    case ethereumNodeURL = "ETHEREUM_NODE_URL"
    /// L1 archive JSON-RPC URL, needed to scrape coinbases from old logs.
    case ethereumArchiveNodeURL = "ETHEREUM_ARCHIVE_NODE_URL"
    /// Aztec node JSON-RPC URL (default `http://localhost:8080`).
    case aztecNodeURL = "AZTEC_NODE_URL"
    /// The staking provider's id in the StakingRegistry.
    case stakingProviderId = "AZTEC_STAKING_PROVIDER_ID"
    /// The staking provider's admin address, to look the id up.
    case stakingProviderAdminAddress = "AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS"
    /// ETH a publisher should hold per attester it serves (default `0.1`).
    case minEthPerAttester = "MIN_ETH_PER_ATTESTER"
    /// Bearer token for the metrics endpoint; secret, no default.
    case metricsBearerToken = "METRICS_BEARER_TOKEN"
    /// Port of the metrics endpoint (default `9464`).
    case metricsPort = "METRICS_PORT"
    /// Address the metrics endpoint listens on (default `127.0.0.1`); any address beyond
    /// loopback needs `METRICS_BEARER_TOKEN`.
    case metricsHost = "METRICS_HOST"
    /// The web3signers `process-private-keys` asks to reload, comma-separated.
    case web3signerURLs = "WEB3SIGNER_URLS"

    /// The variable's name, e.g. `SERVER_ID`.
    public var variable: String { rawValue }

    /// The value used when nothing else gives one; nil when the setting has no default.
    public var defaultValue: String? {
        switch self {
        case .serverId: "server-01"
        case .ethereumNodeURL: "http://localhost:8545"
        case .aztecNodeURL: "http://localhost:8080"
        case .minEthPerAttester: "0.1"
        case .metricsPort: "9464"
        case .metricsHost: "127.0.0.1"
        case .ethereumChainId, .ethereumArchiveNodeURL, .stakingProviderId, .stakingProviderAdminAddress, .metricsBearerToken, .web3signerURLs: nil
        }
    }

    /// Whether the value is masked as `***` wherever it is shown.
    public var isSecret: Bool { self == .metricsBearerToken }

    /// Whether the value is a URL, whose credentials (user info, path API keys, key and
    /// token query values) are masked when it is shown.
    public var isURL: Bool { self == .ethereumNodeURL || self == .ethereumArchiveNodeURL || self == .aztecNodeURL || self == .web3signerURLs }

    /// One line of help for people and the docs.
    public var help: String {
        switch self {
        case .serverId: "This server's id, as in {network}-keys-{serverId}-v{N}.json"
        case .ethereumChainId: "L1 chain id, checked against the Aztec node's"
        case .ethereumNodeURL: "L1 JSON-RPC URL"
        case .ethereumArchiveNodeURL: "L1 archive JSON-RPC URL (scrape-coinbases)"
        case .aztecNodeURL: "Aztec node JSON-RPC URL"
        case .stakingProviderId: "Staking provider id in the StakingRegistry"
        case .stakingProviderAdminAddress: "Staking provider admin address"
        case .minEthPerAttester: "ETH a publisher needs per attester it serves"
        case .metricsBearerToken: "Bearer token of the metrics endpoint (secret; environment or file only)"
        case .metricsPort: "Port of the metrics endpoint"
        case .metricsHost: "Address the metrics endpoint listens on; beyond loopback METRICS_BEARER_TOKEN is required"
        case .web3signerURLs: "Comma-separated web3signer URLs that process-private-keys asks to reload"
        }
    }
}

/// Where a setting's value came from.
public enum ButlerSettingSource: Sendable, Equatable, CustomStringConvertible {
    /// Given directly for the run, under this name (a command line's flag, say).
    case flag(String)
    /// The process environment variable of that name.
    case environment(String)
    /// A line of the configuration file.
    case file(path: String, line: Int)
    /// The setting's default.
    case defaultValue
    /// Nothing gave a value and there is no default.
    case unset

    /// A short word for JSON output: flag, environment, file, default, unset.
    public var kind: String {
        switch self {
        case .flag: "flag"
        case .environment: "environment"
        case .file: "file"
        case .defaultValue: "default"
        case .unset: "unset"
        }
    }

    /// "flag {name}", "environment SERVER_ID", "file /path:3", "default", "not set".
    public var description: String {
        switch self {
        case .flag(let name): "flag \(name)"
        case .environment(let name): "environment \(name)"
        case .file(let path, let line): "file \(path):\(line)"
        case .defaultValue: "default"
        case .unset: "not set"
        }
    }
}

/// One setting's effective text and where it came from.
public struct ButlerSettingValue: Sendable, Equatable {
    /// The setting.
    public let setting: ButlerSetting
    /// The text as given; nil when unset and always nil for the secret token, which is only
    /// kept as a `Secret` in `ButlerConfiguration.metricsBearerToken`.
    public let text: String?
    /// Where the value came from.
    public let source: ButlerSettingSource

    /// Creates a value; the text of a secret setting is dropped.
    public init(setting: ButlerSetting, text: String?, source: ButlerSettingSource) {
        self.setting = setting
        self.text = setting.isSecret ? nil : text
        self.source = source
    }

    /// Whether some source gave a value.
    public var isSet: Bool { source != .unset }

    /// The text for people: `***` for a secret that is set, "(not set)" when unset, a URL
    /// with its credentials masked (``URLCredentials/maskingCredentials(_:)``).
    public var shownText: String { shownText(revealsCredentials: false) }

    /// The text for people; with `revealsCredentials`, a URL is shown whole (the secret
    /// token stays `***`). Control and format characters are shown as `\u{…}`.
    public func shownText(revealsCredentials: Bool) -> String {
        guard isSet else { return "(not set)" }
        if setting.isSecret { return "***" }
        let value = text ?? ""
        guard setting.isURL && !revealsCredentials else { return TerminalText.escaped(value) }
        return TerminalText.escaped(value.split(separator: ",", omittingEmptySubsequences: false)
            .map { URLCredentials.maskingCredentials($0.trimmingCharacters(in: .whitespaces)) }.joined(separator: ","))
    }
}
