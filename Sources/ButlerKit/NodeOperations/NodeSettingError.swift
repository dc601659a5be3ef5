import FleetKit
import Foundation

/// A setting of a node job that cannot work, named by what it is for; a tool renders it
/// with the name of its own option.
public typealias NodeSettingError = SettingError<NodeSetting>

/// The settings a node job checks.
public enum NodeSetting: String, Sendable, Codable {
    /// The Aztec version to install or move to.
    case aztecVersion
    /// L1 execution RPC URLs.
    case l1RPCURLs
    /// L1 consensus (beacon) URLs.
    case consensusURLs
    /// A node asked from this machine to compare blocks with.
    case referenceNode
    /// A node's JSON-RPC URL sampled beside a local log.
    case nodeURL
    /// The compose layout's node folder.
    case nodeFolder
    /// The home the original toolkit installed into.
    case originalHome
    /// The original toolkit's systemd unit file.
    case originalUnit
    /// The node's container name.
    case container
    /// How far back node logs are read.
    case logSince
    /// The time between two samples of a node's blocks.
    case sampleWindow
    /// The role of every node.
    case role
    /// The rows forming one server when keys are given one per row.
    case serverGrouping
    /// The sources a job reads: servers, a local log, or both.
    case source
    /// The fleet's minimum transactions per second.
    case transactionsPerSecond
}

/// Checks of the values node jobs are given, in one place.
public enum NodeSettingCheck {
    /// `text` when it can be an Aztec version tag (letters, digits, `.`, `-`, `_`, `+`;
    /// `latest` included).
    ///
    /// - Throws: ``NodeSettingError`` for ``NodeSetting/aztecVersion``.
    public static func version(_ text: String, example: String = "2.1.2") throws(NodeSettingError) -> String {
        guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || ".-_+".contains($0) }) else {
            throw NodeSettingError(.aztecVersion, "'\(TerminalText.quoted(text))' is not a version such as \(example)")
        }
        return text
    }

    /// `text` as an http(s) URL with a host; a bad one is named with its credentials masked.
    public static func httpURL(_ text: String, for setting: NodeSetting) throws(NodeSettingError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw NodeSettingError(setting, "'\(URLCredentials.masked(text))' is not an http(s) URL")
        }
        return url
    }

    /// A list of L1 URLs that must not be empty, each http(s) or ws(s).
    public static func l1URLs(_ urls: [String], for setting: NodeSetting) throws(NodeSettingError) -> [String] {
        guard !urls.isEmpty else { throw NodeSettingError(setting, "the new URLs are required, comma-separated") }
        if let bad = urls.first(where: { AztecInventory.urlListProblem($0) != nil }) {
            throw NodeSettingError(setting, "'\(URLCredentials.masked(bad))' is not an http(s) or ws(s) URL")
        }
        return urls
    }
}

extension NodeLayouts {
    /// The layouts after checking that every path can be used in a remote command: not
    /// empty, on one line, not starting with `-`.
    ///
    /// - Throws: ``NodeSettingError`` naming the first bad path.
    public func checked() throws(NodeSettingError) -> NodeLayouts {
        for (setting, value) in [(NodeSetting.originalHome, original.home), (.originalUnit, original.unitFile),
                                 (.nodeFolder, compose.nodeDirectory)]
        where value.isEmpty || value.contains(where: { $0.isNewline }) || value.hasPrefix("-") {
            throw NodeSettingError(setting, "'\(TerminalText.quoted(value))' is not a usable path")
        }
        return self
    }
}
