import FleetKit
import Foundation

/// Where the Butler keeps its keys files: its data folder and the network.
public struct ButlerKeysFolder: Sendable, Equatable {
    /// The Butler's data folder (`~/.local/share/aztec-butler`).
    public var folder: URL
    /// The network of the files (`mainnet-keys-…`).
    public var network: String

    /// Names the folder.
    public init(folder: URL, network: String) {
        self.folder = folder
        self.network = network
    }
}

/// Each server's newest Butler keys file, found with the Butler's own discovery and checked
/// before any server is touched: the Butler's checks, the high-availability shape, the
/// publishers of high-availability attesters, private keys in remote-signer files and,
/// when asked, a file for every server.
public struct KeystoreCatalog: Sendable {
    /// The files to put on nodes, by Butler server id.
    public let files: [String: KeystoreFile]
    /// The same files parsed, by Butler server id.
    public let keysFiles: [String: KeysFile]
    /// Attesters on several servers in the high-availability shape, lowercase, with their servers.
    public let highAvailability: [String: [String]]
    /// Things the operator should know that do not stop the push.
    public let warnings: [String]

    /// Loads the newest file of every server of `servers` (Butler server ids) from `source`.
    ///
    /// - Throws: ``KeystoreRefusal`` with every reason found.
    public static func load(_ source: ButlerKeysFolder, servers: [String], requiresEveryServer: Bool) throws(KeystoreRefusal) -> KeystoreCatalog {
        let discovery: KeysDiscovery
        do {
            discovery = try KeysDirectory(folder: source.folder, network: source.network).discover()
        } catch {
            throw KeystoreRefusal(reasons: [error.description])
        }
        var reasons: [String] = []
        for failure in discovery.failures {
            let url = URL(fileURLWithPath: failure.file)
            let keyPaths = (try? BoundedFile.read(url, limit: KeysFile.maximumFileSize)).map(RemoteSignerKeyScan.privateKeyPaths) ?? []
            if !keyPaths.isEmpty {
                reasons.append("\(url.lastPathComponent) names a remote signer but holds a private key at \(keyPaths.joined(separator: ", ")); a file meant for a remote signer must hold addresses only")
            } else {
                reasons.append("\(url.lastPathComponent) fails the Butler's checks: " + failure.problems.map(\.description).joined(separator: "; "))
            }
        }
        let merged = discovery.merged
        reasons += merged.duplicateAttesters.map {
            "attester \($0.address.lowercased) is in \($0.fileNames.joined(separator: " and ")) outside the high-availability shape (the same remote signer in every file, distinct publishers); two nodes signing for one attester risk slashing"
        }
        reasons += merged.sharedPublishers.map {
            "publisher \($0.address.lowercased) is used by servers \($0.serverIds.joined(separator: ", ")); each server needs its own publishers"
        }
        var highAvailability: [String: [String]] = [:]
        for attester in merged.highAvailabilityAttesters {
            let key = attester.address.lowercased
            let holders = discovery.files.filter { file in file.contents.validators.contains { $0.attester.eth.lowercased == key } }
            highAvailability[key] = holders.map(\.serverId)
            var seen: [String: String] = [:]
            for file in holders {
                for validator in file.contents.validators where validator.attester.eth.lowercased == key {
                    for publisher in validator.publisher.addresses {
                        if let other = seen[publisher.lowercased], other != file.serverId {
                            reasons.append("high-availability attester \(key) has publisher \(publisher.lowercased) on servers \(other) and \(file.serverId); each node of an attester needs its own publisher")
                        }
                        seen[publisher.lowercased] = file.serverId
                    }
                }
            }
        }
        let byServer = Dictionary(discovery.files.map { ($0.serverId, $0) }, uniquingKeysWith: { first, _ in first })
        if requiresEveryServer {
            let failed = Set(discovery.failures.compactMap { KeysFileName(parsing: URL(fileURLWithPath: $0.file).lastPathComponent, network: source.network)?.serverId })
            for server in servers where byServer[server] == nil && !failed.contains(server) {
                reasons.append("server \(server) has no \(source.network)-keys-\(server)-v{N}.json in \(source.folder.path), and every server must have one")
            }
        }
        guard reasons.isEmpty else { throw KeystoreRefusal(reasons: reasons) }
        var files: [String: KeystoreFile] = [:]
        var keysFiles: [String: KeysFile] = [:]
        for server in servers {
            guard let loaded = byServer[server] else { continue }
            do {
                files[server] = KeystoreFile(name: loaded.url.lastPathComponent, contents: try BoundedFile.read(loaded.url, limit: KeysFile.maximumFileSize))
                keysFiles[server] = loaded.contents
            } catch {
                throw KeystoreRefusal(reasons: ["cannot read \(loaded.url.path) again: \(error.description)"])
            }
        }
        var warnings: [String] = []
        if !highAvailability.isEmpty {
            warnings.append("\(Plural.count(highAvailability.count, "attester")) on several servers (high availability): Aztec's high-availability guide requires every node of such an attester to share one PostgreSQL slashing-protection database (VALIDATOR_HA_SIGNING_ENABLED=true, the same VALIDATOR_HA_DATABASE_URL and a VALIDATOR_HA_NODE_ID of its own in each node's .env)")
        }
        return KeystoreCatalog(files: files, keysFiles: keysFiles, highAvailability: highAvailability, warnings: warnings)
    }
}

/// Why keystores are not pushed: every reason, found before any server was touched.
public struct KeystoreRefusal: Error, Sendable, CustomStringConvertible, Equatable {
    /// One sentence per reason.
    public var reasons: [String]

    /// Creates the refusal.
    public init(reasons: [String]) { self.reasons = reasons }

    /// "no keystore was pushed: …", one reason per line.
    public var description: String {
        TerminalText.escaped("no keystore was pushed, no server was touched:\n" + reasons.map { "  - " + $0 }.joined(separator: "\n"))
    }
}

/// Finds private keys in a keys file that names a remote signer, where only addresses belong.
enum RemoteSignerKeyScan {
    /// JSON paths of 32-byte values at `attester`, `attester.eth` or `publisher` of a file
    /// with a `remoteSigner`; empty for a file without one or that is not JSON.
    static func privateKeyPaths(_ data: Data) -> [String] {
        guard let root = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let top) = root,
              top["remoteSigner"] != nil, case .array(let validators)? = top["validators"] else { return [] }
        var paths: [String] = []
        func isKey(_ value: JSONValue?) -> Bool {
            if case .string(let text)? = value { return Hex.matches(text, digits: 64, prefix: .required) }
            return false
        }
        for (index, validator) in validators.enumerated() {
            guard case .object(let fields) = validator else { continue }
            let base = "validators[\(index)]"
            if isKey(fields["attester"]) { paths.append(base + ".attester") }
            if case .object(let attester)? = fields["attester"], isKey(attester["eth"]) { paths.append(base + ".attester.eth") }
            if isKey(fields["publisher"]) { paths.append(base + ".publisher") }
            if case .array(let publishers)? = fields["publisher"] {
                for (position, publisher) in publishers.enumerated() where isKey(publisher) { paths.append(base + ".publisher[\(position)]") }
            }
        }
        return paths
    }
}
