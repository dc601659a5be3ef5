import Foundation
import FleetKit

/// One CometBFT peer as `persistent_peers` lists it: `<node id>@<host>:<port>`, the id
/// being 40 hex digits (20 bytes), the host an IPv4 address, a host name or an IPv6
/// address in brackets.
public struct PersistentPeer: Sendable, Hashable, CustomStringConvertible {
    /// The node id, 40 hex digits, as written.
    public let id: String
    /// The host, with brackets for IPv6.
    public let host: String
    /// The P2P port.
    public let port: Int

    /// `id@host:port`.
    public var description: String { "\(id)@\(host):\(port)" }

    /// Reads `id@host:port`; throws a phrase saying what is wrong.
    public init(parsing text: String) throws(PersistentPeerSyntaxError) {
        guard let at = text.firstIndex(of: "@") else {
            throw PersistentPeerSyntaxError("has no '@' between the node id and the address")
        }
        let id = String(text[..<at])
        guard Hex.matches(id, digits: 40, prefix: .absent) else {
            throw PersistentPeerSyntaxError("has a node id that is not 40 hex digits")
        }
        let address = text[text.index(after: at)...]
        guard let colon = address.lastIndex(of: ":") else {
            throw PersistentPeerSyntaxError("has no ':' before the port")
        }
        let host = String(address[..<colon])
        let portText = address[address.index(after: colon)...]
        guard let port = Int(portText), (1...65535).contains(port), portText.allSatisfy(\.isNumber) else {
            throw PersistentPeerSyntaxError("has a port that is not a whole number from 1 to 65535")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            guard ConfigValueText.isIPv6(String(host.dropFirst().dropLast())) else {
                throw PersistentPeerSyntaxError("has a bracketed host that is not an IPv6 address")
            }
        } else if !(ConfigValueText.isIPv4(host) || (ConfigValueText.isHostname(host) && !host.allSatisfy { $0.isNumber || $0 == "." })) {
            throw PersistentPeerSyntaxError("has a host that is neither an IPv4 address, a host name nor an IPv6 address in brackets")
        }
        self.id = id
        self.host = host
        self.port = port
    }

    /// Reads a comma-separated list as CometBFT does: blanks around entries trimmed, empty
    /// entries skipped. Returns the peers and, for each bad entry, its 1-based position and text with the reason.
    public static func parseList(_ text: String) -> (peers: [PersistentPeer], problems: [String]) {
        var peers: [PersistentPeer] = []
        var problems: [String] = []
        var seen: Set<String> = []
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for (index, entry) in entries.enumerated() {
            do {
                let peer = try PersistentPeer(parsing: entry)
                if !seen.insert(peer.id.lowercased()).inserted {
                    problems.append("entry \(index + 1) '\(ConfigValueText.visible(entry))' repeats the node id \(peer.id)")
                    continue
                }
                peers.append(peer)
            } catch {
                problems.append("entry \(index + 1) '\(ConfigValueText.visible(entry))' \(error.reason); expected <40 hex digits>@<host>:<port>")
            }
        }
        return (peers, problems)
    }
}

/// Why a text is not `id@host:port`.
public struct PersistentPeerSyntaxError: Error, Sendable, CustomStringConvertible {
    /// A phrase following the entry, e.g. "has no '@' between the node id and the address".
    public let reason: String

    init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}
