import FleetKit
import Foundation

extension ButlerConfiguration {
    /// The effective configuration as a report (`config`): paths, then each variable with its
    /// value (secrets as `***`, URL credentials masked) and where it came from.
    public var report: ButlerConfigurationReport { ButlerConfigurationReport(self, revealsCredentials: false) }

    /// The report; with `revealsCredentials`, the RPC URLs are shown whole, user info, path
    /// API keys and key or token query values included (the bearer token stays `***`).
    public func report(revealsCredentials: Bool) -> ButlerConfigurationReport {
        ButlerConfigurationReport(self, revealsCredentials: revealsCredentials)
    }
}

/// What `config` shows: the effective configuration, secrets as `***`, the credentials in
/// RPC URLs (`user:password@`, `/v2/KEY`, `/v3/KEY`, `?apikey=`) masked unless revealing
/// was asked, unset values left out of the JSON.
public struct ButlerConfigurationReport: Sendable, Codable, Equatable {
    /// One variable's effective value and where it came from.
    public struct Setting: Sendable, Codable, Equatable {
        /// The variable, e.g. `SERVER_ID`.
        public let variable: String
        /// The value as shown (`***` for a secret); nil when unset.
        public let value: String?
        /// flag, environment, file, default or unset.
        public let source: String
        /// The flag's or variable's name, or `path:line` of the file; nil for default and unset.
        public let location: String?
        /// How the source reads in text, e.g. "file /path:3".
        let sourceText: String

        enum CodingKeys: String, CodingKey { case variable, value, source, location }

        /// Decodes the JSON shape; the text of the source is rebuilt from it.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            variable = try container.decode(String.self, forKey: .variable)
            value = try container.decodeIfPresent(String.self, forKey: .value)
            source = try container.decode(String.self, forKey: .source)
            location = try container.decodeIfPresent(String.self, forKey: .location)
            sourceText = switch source {
            case "default": "default"
            case "unset": "not set"
            default: "\(source) \(location ?? "")"
            }
        }

        /// Encodes the JSON shape; an unset value or absent location is left out.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(variable, forKey: .variable)
            try container.encodeIfPresent(value, forKey: .value)
            try container.encode(source, forKey: .source)
            try container.encodeIfPresent(location, forKey: .location)
        }

        init(_ value: ButlerSettingValue, revealsCredentials: Bool) {
            variable = value.setting.variable
            self.value = value.isSet ? value.shownText(revealsCredentials: revealsCredentials) : nil
            source = value.source.kind
            location = switch value.source {
            case .file(let path, let line): "\(path):\(line)"
            case .flag(let name), .environment(let name): name
            case .defaultValue, .unset: nil
            }
            sourceText = value.source.description
        }
    }

    /// The network.
    public let network: String
    /// The configuration file read, or looked for.
    public let configFile: String
    /// Whether that file exists.
    public let configFileFound: Bool
    /// The data folder.
    public let dataDirectory: String
    /// Where the data folder came from, e.g. "environment XDG_DATA_HOME".
    public let dataDirectorySource: String
    /// Every setting in ``ButlerSetting`` order.
    public let settings: [Setting]
    /// Names in the file this version does not use.
    public let unusedFileVariables: [String]

    init(_ configuration: ButlerConfiguration, revealsCredentials: Bool) {
        network = configuration.network
        configFile = configuration.configFile.path
        configFileFound = configuration.configFileFound
        dataDirectory = configuration.paths.dataDirectory.path
        dataDirectorySource = configuration.paths.dataDirectorySource.description
        settings = configuration.values.map { Setting($0, revealsCredentials: revealsCredentials) }
        unusedFileVariables = configuration.unusedFileVariables
    }

    /// The report for people: paths, then one aligned line per variable.
    public var lines: [String] {
        var lines = [
            "network: \(network)",
            "config file: \(configFile)" + (configFileFound ? "" : " (not found: defaults apply)"),
            "data folder: \(dataDirectory) (\(dataDirectorySource))",
        ]
        let shown = settings.map { $0.value ?? "(not set)" }
        let nameWidth = settings.map(\.variable.count).max() ?? 0
        let valueWidth = shown.map(\.count).max() ?? 0
        for (setting, text) in zip(settings, shown) {
            let name = "  " + setting.variable.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
            lines.append(setting.value != nil
                ? name + text.padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  " + setting.sourceText
                : name + text)
        }
        if !unusedFileVariables.isEmpty {
            lines.append("not used from the file: \(unusedFileVariables.joined(separator: ", "))")
        }
        return lines
    }
}
