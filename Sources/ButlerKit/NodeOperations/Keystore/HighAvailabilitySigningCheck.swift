import FleetKit

/// Aztec's high-availability guide allows one attester on several nodes only when all of
/// them sign through one shared PostgreSQL slashing-protection database: each node sets
/// `VALIDATOR_HA_SIGNING_ENABLED=true`, the same `VALIDATOR_HA_DATABASE_URL` and its own
/// `VALIDATOR_HA_NODE_ID`. Without that, two nodes can sign the same duty and the attester
/// is slashed. This reads what the nodes' `.env` files say (see ``KeystoreSummary``) and
/// names every gap; settings kept elsewhere (a secrets manager, the compose file) cannot be
/// read and show as missing.
enum HighAvailabilitySigningCheck {
    /// One node as inspected.
    struct Node {
        /// The inventory name.
        let host: String
        /// The Butler server id whose keys file the node gets.
        let serverId: String
        /// What its keystore folder and `.env` showed.
        let keystore: KeystoreSummary?
    }

    /// One sentence per gap, for every group of nodes that share an attester.
    ///
    /// - Parameters:
    ///   - attesters: each high-availability attester (lowercase) and the server ids whose keys
    ///     files hold it.
    ///   - nodes: the nodes inspected; servers not among them (unreachable, not in this
    ///     inventory) are left out of the comparison.
    static func findings(attesters: [String: [String]], nodes: [Node]) -> [String] {
        let byServer = Dictionary(nodes.map { ($0.serverId, $0) }, uniquingKeysWith: { first, _ in first })
        var groups: [[String]: Int] = [:]
        for servers in attesters.values { groups[Array(Set(servers)).sorted(), default: 0] += 1 }
        var findings: [String] = []
        for (servers, count) in groups.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let members = servers.compactMap { byServer[$0] }
            guard members.count > 1 else { continue }
            let shared = "\(Plural.count(count, "attester")) shared by \(members.map(\.host).joined(separator: ", "))"
            for node in members {
                let settings = node.keystore
                if settings?.highAvailabilitySigning != true {
                    findings.append("\(node.host): VALIDATOR_HA_SIGNING_ENABLED=true is not in the node's .env, yet it holds \(shared): without the shared slashing-protection database two nodes can sign the same duty")
                }
                if settings?.highAvailabilityDatabase == nil {
                    findings.append("\(node.host): no VALIDATOR_HA_DATABASE_URL in the node's .env (\(shared))")
                }
                if settings?.highAvailabilityNodeID == nil {
                    findings.append("\(node.host): no VALIDATOR_HA_NODE_ID in the node's .env (\(shared))")
                }
            }
            let databases = Set(members.compactMap { $0.keystore?.highAvailabilityDatabase })
            if databases.count > 1 {
                findings.append("\(shared) name \(databases.count) different slashing-protection databases in VALIDATOR_HA_DATABASE_URL: they must all use one")
            }
            let byID = Dictionary(grouping: members.filter { $0.keystore?.highAvailabilityNodeID != nil }) { $0.keystore?.highAvailabilityNodeID ?? "" }
            for (id, holders) in byID.sorted(by: { $0.key < $1.key }) where holders.count > 1 {
                findings.append("\(holders.map(\.host).joined(separator: ", ")) use the same VALIDATOR_HA_NODE_ID \(id) (\(shared)): each node needs its own")
            }
        }
        return findings.map(TerminalText.escaped)
    }
}
