import FleetKit

/// What pushing a server's keys file would change on its node, by address only.
public struct KeystoreChange: Sendable, Codable, Equatable {
    /// A coinbase that differs for one attester.
    public struct CoinbaseChange: Sendable, Codable, Equatable {
        /// The attester.
        public var attester: String
        /// The node's coinbase, `nil` for none.
        public var from: String?
        /// The file's, `nil` for none.
        public var to: String?
    }

    /// Publishers that differ for one attester.
    public struct PublisherChange: Sendable, Codable, Equatable {
        /// The attester.
        public var attester: String
        /// The node's publishers.
        public var from: [String]
        /// The file's.
        public var to: [String]
    }

    /// The host's name.
    public var host: String
    /// Its Butler server id.
    public var serverId: String
    /// The keys file to push; `nil` when the Butler has none for the server.
    public var file: String?
    /// The version the node's keystore came from, when known.
    public var nodeVersion: Int?
    /// Whether the node's file differs from the keys file (any byte).
    public var differs: Bool
    /// Attesters in the file and not on the node.
    public var attestersAdded: [String]
    /// Attesters on the node and not in the file.
    public var attestersRemoved: [String]
    /// Coinbases that change.
    public var coinbases: [CoinbaseChange]
    /// Publishers that change.
    public var publishers: [PublisherChange]

    /// Compares `file` (the keys file) with the node's keystore summary.
    static func compare(host: String, serverId: String, fileName: String, file: KeysFile, node: KeystoreSummary?, differs: Bool) -> KeystoreChange {
        let nodeValidators = Dictionary((node?.validators ?? []).compactMap { v in v.attester.map { ($0.lowercased(), v) } },
                                        uniquingKeysWith: { first, _ in first })
        let fileValidators = file.validators
        let fileAttesters = fileValidators.map(\.attester.eth.lowercased)
        var change = KeystoreChange(host: host, serverId: serverId, file: fileName, nodeVersion: node?.version, differs: differs,
                                    attestersAdded: fileAttesters.filter { nodeValidators[$0] == nil },
                                    attestersRemoved: nodeValidators.keys.filter { !fileAttesters.contains($0) }.sorted(),
                                    coinbases: [], publishers: [])
        for validator in fileValidators {
            let key = validator.attester.eth.lowercased
            guard let before = nodeValidators[key] else { continue }
            let to = validator.coinbase?.lowercased
            let from = before.coinbase?.lowercased()
            if to != from { change.coinbases.append(CoinbaseChange(attester: key, from: from, to: to)) }
            let toPublishers = validator.publisher.addresses.map(\.lowercased)
            let fromPublishers = before.publishers.map { $0.lowercased() }
            if toPublishers != fromPublishers { change.publishers.append(PublisherChange(attester: key, from: fromPublishers, to: toPublishers)) }
        }
        return change
    }

    /// One line per difference, for people.
    public var lines: [String] {
        guard let file else { return ["\(host): no keys file for Butler server id \(serverId); left as it is"] }
        guard differs else { return ["\(host): \(file) is already on the node; nothing to change"] }
        var lines = ["\(host): \(file) (node at \(nodeVersion.map { "v\($0)" } ?? "no Butler version"))"]
        lines += attestersAdded.map { "  + attester \($0)" }
        lines += attestersRemoved.map { "  - attester \($0)" }
        lines += coinbases.map { "  ~ coinbase of \($0.attester): \($0.from ?? "(none)") → \($0.to ?? "(none)")" }
        lines += publishers.map { "  ~ publishers of \($0.attester): \($0.from.joined(separator: ",")) → \($0.to.joined(separator: ","))" }
        if lines.count == 1 { lines.append("  other fields differ (no attester, coinbase or publisher changes)") }
        return lines.map(TerminalText.escaped)
    }
}
