import FleetKit
import Foundation

/// The publishers file of `prepare-deployment`: `{ "serverId": ["0xpub…", …], … }`, the
/// accounts each server may publish from.
///
/// Every problem is reported with the file and its JSON path: a server id that cannot be part
/// of a keys file name, an empty list, a value that is not an address, and (fatal in the
/// original too) one publisher under two servers, or twice under one.
public struct AvailablePublishers: Sendable, Equatable {
    /// Each server with its publishers in file order, sorted by server id.
    public let servers: [(serverId: String, publishers: [KeysFileAddress])]

    /// Creates the list directly, e.g. in tests; no checks are made.
    public init(servers: [(serverId: String, publishers: [KeysFileAddress])]) {
        self.servers = servers
    }

    /// Parses and checks a publishers file; throws every problem at once.
    public static func decode(_ data: Data, fileName: String) throws(KeysFileError) -> AvailablePublishers {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KeysFileError(file: fileName, message: "not valid JSON: \(KeysFile.reason(error))")
        }
        var reader = KeysFileReader(file: fileName)
        guard let members = root.objectValue else {
            reader.report("", "expected an object of server ids to arrays of publisher addresses, got \(KeysFileReader.kind(root))")
            throw KeysFileError(file: fileName, problems: reader.problems)
        }
        if members.isEmpty { reader.report("", "expected at least one server id with its publishers, got an empty object") }
        var servers: [(serverId: String, publishers: [KeysFileAddress])] = []
        var owner: [EthereumAddress: String] = [:]
        for serverId in members.keys.sorted() {
            let path = "[\(OrderedJSON.quoted(serverId))]"
            if KeysFileName(parsing: KeysFileName(network: "n", serverId: serverId, version: 1).fileName, network: "n")?.serverId != serverId
                || serverId.contains("/") {
                reader.report(path, "'\(serverId)' cannot be a server id in a keys file name (non-empty, no '/')")
            }
            guard let elements = members[serverId]?.arrayValue else {
                reader.report(path, "expected an array of publisher addresses, got \(members[serverId].map(KeysFileReader.kind) ?? "nothing")")
                continue
            }
            if elements.isEmpty { reader.report(path, "expected at least one publisher, got an empty array") }
            var publishers: [KeysFileAddress] = []
            for (index, element) in elements.enumerated() {
                guard let publisher = reader.address(element, path: "\(path)[\(index)]") else { continue }
                if let other = owner[publisher.address] {
                    let where_ = other == serverId ? "listed twice under server \(serverId)" : "also listed under server \(other)"
                    reader.report("\(path)[\(index)]", "publisher \(publisher.lowercased) is \(where_); two nodes sending from one account clash on nonces")
                } else {
                    owner[publisher.address] = serverId
                }
                publishers.append(publisher)
            }
            servers.append((serverId, publishers))
        }
        guard reader.problems.isEmpty else { throw KeysFileError(file: fileName, problems: reader.problems) }
        return AvailablePublishers(servers: servers)
    }

    /// Equal when the same servers list the same publishers in the same order.
    public static func == (lhs: AvailablePublishers, rhs: AvailablePublishers) -> Bool {
        lhs.servers.map(\.serverId) == rhs.servers.map(\.serverId) && lhs.servers.map(\.publishers) == rhs.servers.map(\.publishers)
    }
}

/// The coinbases of `{dataDir}/{network}-cached-coinbases.json`, read leniently: entries that
/// are not an attester/coinbase address pair, zero coinbases, and attesters with two different
/// coinbases are left out with a warning; a missing file is an empty cache.
public struct CachedCoinbases: Sendable, Equatable {
    /// Each attester's coinbase.
    public let coinbases: [EthereumAddress: KeysFileAddress]
    /// What was left out and why.
    public let warnings: [String]

    /// Creates a cache directly, e.g. in tests.
    public init(coinbases: [EthereumAddress: KeysFileAddress], warnings: [String] = []) {
        self.coinbases = coinbases
        self.warnings = warnings
    }

    /// The cache file's location for `network` in the data folder.
    public static func url(dataDirectory: URL, network: String) -> URL {
        dataDirectory.appendingPathComponent("\(network)-cached-coinbases.json")
    }

    /// Reads the cache at `url` when it exists; never throws.
    public static func read(from url: URL) -> CachedCoinbases {
        guard FileManager.default.fileExists(atPath: url.path) else { return CachedCoinbases(coinbases: [:]) }
        let name = url.lastPathComponent
        guard let data = try? BoundedFile.read(url, limit: CoinbaseCache.maximumFileSize), let root = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return CachedCoinbases(coinbases: [:], warnings: ["\(name): not readable JSON; coinbases are taken from the keys files only"])
        }
        guard let mappings = root["mappings"]?.arrayValue else {
            return CachedCoinbases(coinbases: [:], warnings: ["\(name): mappings: missing or not an array; the cache is not used"])
        }
        var coinbases: [EthereumAddress: KeysFileAddress] = [:]
        var conflicting = Set<EthereumAddress>()
        var warnings: [String] = []
        for (index, mapping) in mappings.enumerated() {
            guard let attester = mapping["attesterAddress"]?.stringValue.flatMap(KeysFileAddress.init),
                  let coinbase = mapping["coinbaseAddress"]?.stringValue.flatMap(KeysFileAddress.init) else {
                warnings.append("\(name): mappings[\(index)]: expected attesterAddress and coinbaseAddress (0x + 40 hex digits); skipped")
                continue
            }
            if coinbase.address.isZero || conflicting.contains(attester.address) { continue }
            if let known = coinbases[attester.address], known != coinbase {
                warnings.append("\(name): mappings[\(index)]: attester \(attester.lowercased) has two coinbases (\(known.lowercased), \(coinbase.lowercased)); neither is used")
                coinbases[attester.address] = nil
                conflicting.insert(attester.address)
                continue
            }
            coinbases[attester.address] = coinbase
        }
        return CachedCoinbases(coinbases: coinbases, warnings: warnings)
    }
}

/// A keys file read for `prepare-deployment`, with the name problems are reported under.
public struct NamedKeysFile: Sendable, Equatable {
    /// The file name (or path) used in messages.
    public let name: String
    /// The contents.
    public let file: KeysFile

    /// Wraps contents already read.
    public init(name: String, file: KeysFile) {
        self.name = name
        self.file = file
    }

    /// Reads the production keys file: validators and `remoteSigner` are required.
    public static func production(from url: URL) throws(KeysFileError) -> NamedKeysFile {
        let file = try KeysFile.read(from: url)
        guard file.remoteSigner != nil else {
            throw KeysFileError(file: url.lastPathComponent, problems: [KeysFileProblem(
                file: url.lastPathComponent, jsonPath: "remoteSigner",
                message: "missing (the production keys file names the remote signer every output file keeps)")])
        }
        return NamedKeysFile(name: url.lastPathComponent, file: file)
    }

    /// Reads the new public keys file: validators may leave out `publisher` (assigned here) and `coinbase`.
    public static func newPublicKeys(from url: URL) throws(KeysFileError) -> NamedKeysFile {
        let name = url.lastPathComponent
        return NamedKeysFile(name: name, file: try KeysFile.decode(try KeysFile.bytes(of: url), fileName: name, publisherOptional: true))
    }
}
