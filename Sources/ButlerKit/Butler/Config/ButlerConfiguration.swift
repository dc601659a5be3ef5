import FleetKit
import Foundation

/// A value given directly for a run (on a command line, say) with the name it was given
/// under; reports show its source as "flag {name}".
public struct ButlerGivenValue<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The value.
    public var value: Value
    /// The name it was given under, e.g. a command line's flag.
    public var name: String

    /// Wraps a value given under `name`.
    public init(_ value: Value, name: String) {
        self.value = value
        self.name = name
    }
}

/// What a command needs to load a network's configuration: everything the executable read
/// from its command line and process, passed in (the library reads no environment itself).
public struct ButlerConfigurationRequest: Sendable {
    /// The network, e.g. `mainnet`; each network has its own file and paths.
    public var network: String
    /// Values given directly for this run; they win over everything else.
    public var flags: [ButlerSetting: ButlerGivenValue<String>]
    /// The process environment; wins over the file.
    public var environment: [String: String]
    /// The home folder, for the default paths.
    public var homeDirectory: String
    /// A configuration file chosen for this run; it must exist. Nil: `{config dir}/{network}-base.env`, used when present.
    public var configFile: URL?
    /// A data folder chosen for this run; nil: the XDG default.
    public var dataDirectory: ButlerGivenValue<URL>?

    /// Describes a configuration to load.
    public init(network: String, flags: [ButlerSetting: ButlerGivenValue<String>] = [:], environment: [String: String], homeDirectory: String,
                configFile: URL? = nil, dataDirectory: ButlerGivenValue<URL>? = nil) {
        self.network = network
        self.flags = flags
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.configFile = configFile
        self.dataDirectory = dataDirectory
    }

    /// Describes a configuration to load for the network ``ButlerNetwork/choose(requested:configFile:configured:)``
    /// picks: the one asked for, else the one `configFile`'s name says, else the only one
    /// configured in the configuration folder, else `testnet`.
    /// - Throws: ``ButlerConfigError`` about the network when none can be picked or the name is bad.
    public static func choosingNetwork(_ requested: String?, flags: [ButlerSetting: ButlerGivenValue<String>] = [:],
                                       environment: [String: String], homeDirectory: String, configFile: URL? = nil,
                                       dataDirectory: ButlerGivenValue<URL>? = nil) throws(ButlerConfigError) -> ButlerConfigurationRequest {
        let configured = ButlerPaths(environment: environment, homeDirectory: homeDirectory).configuredNetworks()
        let network = try ButlerNetwork.choose(requested: requested, configFile: configFile, configured: configured)
        return ButlerConfigurationRequest(network: network, flags: flags, environment: environment, homeDirectory: homeDirectory,
                                          configFile: configFile, dataDirectory: dataDirectory)
    }

    /// The configuration and data folders this request resolves to.
    public var paths: ButlerPaths {
        ButlerPaths(environment: environment, homeDirectory: homeDirectory, dataDirectory: dataDirectory)
    }
}

/// One network's effective Butler configuration, checked, with where each value came from.
///
/// Precedence, highest first: command-line flags, the process environment, the network's
/// `{network}-base.env`, the defaults. An empty value counts as not given at its level, as
/// the original's `process.env.X || default` treats it. Load with `load(_:)`.
public struct ButlerConfiguration: Sendable {
    /// The network.
    public let network: String
    /// The configuration and data folders.
    public let paths: ButlerPaths
    /// The configuration file read, or looked for.
    public let configFile: URL
    /// Whether that file exists (a missing default file means defaults apply).
    public let configFileFound: Bool
    /// Each setting's effective text and source, in `ButlerSetting.allCases` order.
    public let values: [ButlerSettingValue]
    /// Names in the file this version does not use (a typo, or a variable of the original's
    /// other features); their values are not kept.
    public let unusedFileVariables: [String]

    /// `SERVER_ID`.
    public let serverId: String
    /// `ETHEREUM_CHAIN_ID`, when set.
    public let ethereumChainId: UInt64?
    /// `ETHEREUM_NODE_URL`.
    public let ethereumNodeURL: URL
    /// `ETHEREUM_ARCHIVE_NODE_URL`, when set.
    public let ethereumArchiveNodeURL: URL?
    /// `AZTEC_NODE_URL`.
    public let aztecNodeURL: URL
    /// `AZTEC_STAKING_PROVIDER_ID`, when set.
    public let stakingProviderId: UInt256?
    /// `AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS`, when set.
    public let stakingProviderAdminAddress: EthereumAddress?
    /// `MIN_ETH_PER_ATTESTER`.
    public let minEthPerAttester: EtherAmount
    /// `METRICS_BEARER_TOKEN`, when set; shown only as `***`.
    public let metricsBearerToken: Secret?
    /// `METRICS_PORT`.
    public let metricsPort: Int
    /// `METRICS_HOST`: an IPv4 or IPv6 address literal.
    public let metricsHost: String
    /// `WEB3SIGNER_URLS`: the web3signers to reload after new keys are stored; empty when unset.
    public let web3signerURLs: [URL]

    /// The effective value of `setting`.
    public func value(_ setting: ButlerSetting) -> ButlerSettingValue {
        values.first { $0.setting == setting } ?? ButlerSettingValue(setting: setting, text: nil, source: .unset)
    }

    /// Loads and checks the configuration; throws every problem at once (bad file lines,
    /// values that cannot work), each naming the variable and where its value came from.
    public static func load(_ request: ButlerConfigurationRequest) throws(ButlerConfigError) -> ButlerConfiguration {
        if let problem = ButlerNetwork.problem(with: request.network) { throw ButlerConfigError(situation: problem, choice: .network) }
        let paths = request.paths
        let configFile = request.configFile ?? paths.configFile(network: request.network)
        let file = try readFile(configFile, required: request.configFile != nil)
        let fileEntries = file?.lastEntries ?? [:]
        var values: [ButlerSettingValue] = []
        var secret: Secret?
        for setting in ButlerSetting.allCases {
            let given: (String, ButlerSettingSource)?
            if let flag = request.flags[setting], !flag.value.isEmpty, !setting.isSecret {
                given = (flag.value, .flag(flag.name))
            } else if let text = request.environment[setting.variable], !text.isEmpty {
                given = (text, .environment(setting.variable))
            } else if let entry = fileEntries[setting.variable], !entry.value.isEmpty {
                given = (entry.value, .file(path: configFile.path, line: entry.line))
            } else if let fallback = setting.defaultValue {
                given = (fallback, .defaultValue)
            } else {
                given = nil
            }
            if setting.isSecret, let text = given?.0 { secret = Secret(text) }
            values.append(ButlerSettingValue(setting: setting, text: given?.0, source: given?.1 ?? .unset))
        }
        var checker = ButlerSettingChecker(values: values, secret: secret)
        let known = Set(ButlerSetting.allCases.map(\.variable))
        let configuration = checker.configuration(
            network: request.network, paths: paths, configFile: configFile, configFileFound: file != nil,
            unusedFileVariables: fileEntries.keys.filter { !known.contains($0) }.sorted())
        guard let configuration, checker.problems.isEmpty else { throw ButlerConfigError(problems: checker.problems) }
        return configuration
    }

    /// The parsed file; nil when a default file is missing.
    static func readFile(_ url: URL, required: Bool) throws(ButlerConfigError) -> DotEnvFile? {
        let text: String
        do {
            text = try BoundedFile.readText(url, limit: DotEnvFile.maximumFileSize)
        } catch {
            if !required && error.isMissing { return nil }
            let reason = error.isMissing ? "no such file" : error.reasonText
            throw ButlerConfigError(message: "cannot read the configuration file \(url.path): \(reason)")
        }
        do {
            return try DotEnvFile.parse(text, file: url.path)
        } catch {
            throw ButlerConfigError(problems: error.problems.map(\.description))
        }
    }
}
