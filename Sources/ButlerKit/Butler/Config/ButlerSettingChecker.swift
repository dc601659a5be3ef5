import FleetKit
import Foundation

/// Turns the settings' texts into typed values, collecting a problem for each that cannot work.
struct ButlerSettingChecker {
    let values: [ButlerSettingValue]
    let secret: Secret?
    var problems: [String] = []

    init(values: [ButlerSettingValue], secret: Secret?) {
        self.values = values
        self.secret = secret
    }

    /// The public default token of the original, which anyone can read in its source.
    static let originalPublicToken = "default-api-key"

    mutating func configuration(network: String, paths: ButlerPaths, configFile: URL, configFileFound: Bool,
                                unusedFileVariables: [String]) -> ButlerConfiguration? {
        let serverId = check(.serverId, "a server id (letters, digits, -, _ and .)") { text in
            text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) } && !text.hasPrefix(".") ? text : nil
        }
        let chainId = optional(.ethereumChainId, "a whole number above 0, such as 1 for mainnet or 11155111 for Sepolia") { text in
            UInt64(text).flatMap { $0 > 0 ? $0 : nil }
        }
        let nodeURL = check(.ethereumNodeURL, "an http(s) or ws(s) URL such as http://localhost:8545", isURL: true) { Self.url($0, schemes: ["http", "https", "ws", "wss"]) }
        let archiveURL = optional(.ethereumArchiveNodeURL, "an http(s) or ws(s) URL such as https://archive.example.com", isURL: true) { Self.url($0, schemes: ["http", "https", "ws", "wss"]) }
        let aztecURL = check(.aztecNodeURL, "an http(s) URL such as http://localhost:8080", isURL: true) { Self.url($0, schemes: ["http", "https"]) }
        let providerId = optional(.stakingProviderId, "a whole number (the provider id in the StakingRegistry)") { UInt256(decimal: $0) }
        let admin = optional(.stakingProviderAdminAddress, "0x + 40 hex digits") { text in
            Hex.matches(text, digits: 40, prefix: .required) ? EthereumAddress(hex: text) : nil
        }
        let minimum = check(.minEthPerAttester, "an amount of ETH of 0 or more, such as 0.1") { EtherAmount(ether: $0) }
        let port = check(.metricsPort, "a port from 1 to 65535") { Int($0).flatMap { (1...65_535).contains($0) ? $0 : nil } }
        let host = check(.metricsHost, "an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::1") { ConfigValueText.isIPv4($0) || ConfigValueText.isIPv6($0) ? $0 : nil }
        let signers = optional(.web3signerURLs, "comma-separated http(s) URLs such as https://signer-1.internal,https://signer-2.internal", isURL: true) { text in
            try? PrivateKeysProcessing.web3signerURLs(commaSeparated: text)
        }
        if let secret, secret.revealed == Self.originalPublicToken {
            report(.metricsBearerToken, "is the original's public default token; choose a private one (for example: openssl rand -hex 32)")
        }
        guard let serverId, let nodeURL, let aztecURL, let minimum, let port, let host else { return nil }
        return ButlerConfiguration(
            network: network, paths: paths, configFile: configFile, configFileFound: configFileFound, values: values,
            unusedFileVariables: unusedFileVariables, serverId: serverId, ethereumChainId: chainId,
            ethereumNodeURL: nodeURL, ethereumArchiveNodeURL: archiveURL, aztecNodeURL: aztecURL,
            stakingProviderId: providerId, stakingProviderAdminAddress: admin, minEthPerAttester: minimum,
            metricsBearerToken: secret, metricsPort: port, metricsHost: host, web3signerURLs: signers ?? [])
    }

    func value(_ setting: ButlerSetting) -> ButlerSettingValue {
        values.first { $0.setting == setting } ?? ButlerSettingValue(setting: setting, text: nil, source: .unset)
    }

    /// The typed value of a setting that always has one (a default at least). A bad URL is
    /// shown with its credentials masked, other values as given.
    mutating func check<T>(_ setting: ButlerSetting, _ expectation: String, isURL: Bool = false, _ parse: (String) -> T?) -> T? {
        let text = value(setting).text?.trimmingCharacters(in: .whitespaces) ?? ""
        if let parsed = parse(text) { return parsed }
        report(setting, "expected \(expectation), got \(isURL ? URLText.shown(text) : "'\(text)'")")
        return nil
    }

    /// The typed value of a setting that may be unset.
    mutating func optional<T>(_ setting: ButlerSetting, _ expectation: String, isURL: Bool = false, _ parse: (String) -> T?) -> T? {
        guard value(setting).isSet else { return nil }
        return check(setting, expectation, isURL: isURL, parse)
    }

    mutating func report(_ setting: ButlerSetting, _ message: String) {
        problems.append("\(setting.variable) (\(value(setting).source)): \(message)")
    }

    /// The URL when it has one of `schemes` and a host.
    static func url(_ text: String, schemes: Set<String>) -> URL? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              schemes.contains(scheme), let host = components.host, !host.isEmpty else { return nil }
        return components.url
    }
}
