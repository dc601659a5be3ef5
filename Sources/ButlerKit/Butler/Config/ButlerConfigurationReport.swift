import Foundation

extension ButlerConfiguration {
    /// The effective configuration for people: paths, then each variable with its value
    /// (secrets as `***`) and where it came from.
    public func reportLines() -> [String] {
        var lines = [
            "network: \(network)",
            "config file: \(configFile.path)" + (configFileFound ? "" : " (not found: defaults apply)"),
            "data folder: \(paths.dataDirectory.path) (\(paths.dataDirectorySource))",
        ]
        let nameWidth = values.map(\.setting.variable.count).max() ?? 0
        let valueWidth = values.map(\.shownText.count).max() ?? 0
        for value in values {
            let name = "  " + value.setting.variable.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
            lines.append(value.isSet
                ? name + value.shownText.padding(toLength: valueWidth, withPad: " ", startingAt: 0) + "  " + value.source.description
                : name + value.shownText)
        }
        if !unusedFileVariables.isEmpty {
            lines.append("not used from the file: \(unusedFileVariables.joined(separator: ", "))")
        }
        return lines
    }

    /// The effective configuration as pretty JSON (secrets as `***`, unset values as null).
    public func reportJSONData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(ConfigurationReport(self))
    }
}

/// The JSON shape of `aztec-butler config --json`.
private struct ConfigurationReport: Encodable {
    struct Setting: Encodable {
        let variable: String
        let value: String?
        let source: String
        let location: String?
    }

    let network: String
    let configFile: String
    let configFileFound: Bool
    let dataDirectory: String
    let dataDirectorySource: String
    let settings: [Setting]
    let unusedFileVariables: [String]

    init(_ configuration: ButlerConfiguration) {
        network = configuration.network
        configFile = configuration.configFile.path
        configFileFound = configuration.configFileFound
        dataDirectory = configuration.paths.dataDirectory.path
        dataDirectorySource = configuration.paths.dataDirectorySource.description
        settings = configuration.values.map { value in
            let location: String? = switch value.source {
            case .file(let path, let line): "\(path):\(line)"
            case .flag(let name), .environment(let name): name
            case .defaultValue, .unset: nil
            }
            return Setting(variable: value.setting.variable, value: value.isSet ? value.shownText : nil,
                           source: value.source.kind, location: location)
        }
        unusedFileVariables = configuration.unusedFileVariables
    }
}
