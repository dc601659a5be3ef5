import FleetKit
import Foundation

/// One attester's coinbase as the cache records it: the split contract named by the
/// attester's latest `StakedWithProvider` event, and where that event was.
///
/// Addresses keep the text they were read or scraped with (the original writes them
/// checksummed); they compare by bytes.
public struct CoinbaseMapping: Sendable, Equatable {
    /// The attester, as written.
    public var attesterAddress: KeysFileAddress
    /// The coinbase (the provider's split contract for this attester), as written.
    public var coinbaseAddress: KeysFileAddress
    /// The block of the event the coinbase came from.
    public var blockNumber: UInt64
    /// The hash of that block.
    public var blockHash: String
    /// That block's timestamp, in seconds since 1970.
    public var timestamp: Int64

    /// Creates a mapping.
    public init(attesterAddress: KeysFileAddress, coinbaseAddress: KeysFileAddress, blockNumber: UInt64, blockHash: String, timestamp: Int64) {
        self.attesterAddress = attesterAddress
        self.coinbaseAddress = coinbaseAddress
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.timestamp = timestamp
    }
}

/// The original Aztec Butler's coinbase cache, `{dataDir}/{network}-cached-coinbases.json`:
///
/// ```json
/// { "network": "mainnet", "stakingProviderId": "7", "lastScrapedBlock": "23800000",
///   "mappings": [ { "attesterAddress": "0x…", "coinbaseAddress": "0x…", "blockNumber": "23790001",
///                   "blockHash": "0x…", "timestamp": 1763000000 } ],
///   "scrapedAt": "2025-11-20T10:00:00.000Z", "version": "1.0" }
/// ```
/// The original writes its big integers (`stakingProviderId`, `lastScrapedBlock`,
/// `blockNumber`) as decimal strings, two-space indented, with no newline at the end; this
/// type reads them as strings or numbers and writes them as the original does, so a file of
/// the original read and written unchanged stays the same bytes.
public struct CoinbaseCache: Sendable, Equatable {
    /// The network the cache is for.
    public var network: String
    /// The staking provider whose events were scraped, as decimal text.
    public var stakingProviderId: String
    /// The last block whose events are in the cache; the next incremental run starts after it.
    public var lastScrapedBlock: UInt64
    /// One mapping per attester, in the order they were first found.
    public var mappings: [CoinbaseMapping]
    /// When the cache was written (ISO 8601 with milliseconds, UTC).
    public var scrapedAt: String
    /// The format version; `"1.0"`.
    public var version: String

    /// The file name the original uses: `{network}-cached-coinbases.json`.
    public static func fileName(network: String) -> String { "\(network)-cached-coinbases.json" }

    /// The cache's default place: `{dataDirectory}/{network}-cached-coinbases.json`.
    public static func defaultURL(dataDirectory: URL, network: String) -> URL {
        dataDirectory.appendingPathComponent(fileName(network: network))
    }

    /// Creates a cache.
    public init(network: String, stakingProviderId: String, lastScrapedBlock: UInt64, mappings: [CoinbaseMapping],
                scrapedAt: String, version: String = "1.0") {
        self.network = network
        self.stakingProviderId = stakingProviderId
        self.lastScrapedBlock = lastScrapedBlock
        self.mappings = mappings
        self.scrapedAt = scrapedAt
        self.version = version
    }

    /// The mapping of `attester`, compared by bytes.
    public func mapping(for attester: EthereumAddress) -> CoinbaseMapping? {
        mappings.first { $0.attesterAddress.address == attester }
    }

    /// `date` as the original's `new Date().toISOString()` writes it: `2025-11-20T10:00:00.000Z`.
    public static func timestampText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    // MARK: Reading

    /// The largest cache file read (64 MiB, some 400,000 mappings); a larger one is refused.
    public static let maximumFileSize = 64 * BoundedFile.mebibyte

    /// Reads the cache at `url`; `nil` when there is no file there.
    /// - Throws: ``CoinbaseCacheError`` naming the file and the field when it cannot be read or checked.
    public static func read(from url: URL) throws(CoinbaseCacheError) -> CoinbaseCache? {
        let data: Data
        do {
            data = try BoundedFile.read(url, limit: maximumFileSize)
        } catch {
            if error.isMissing { return nil }
            throw CoinbaseCacheError(file: url.path, message: "cannot read it: \(error.reasonText)")
        }
        return try decode(data, file: url.path)
    }

    /// Parses and checks the cache's JSON; `file` only names it in errors.
    public static func decode(_ data: Data, file: String) throws(CoinbaseCacheError) -> CoinbaseCache {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw CoinbaseCacheError(file: file, message: "not valid JSON")
        }
        func fail(_ path: String, _ message: String) -> CoinbaseCacheError {
            CoinbaseCacheError(file: file, message: "\(path): \(message)")
        }
        guard case .object = root else { throw fail("$", "expected an object") }
        guard let network = root["network"]?.stringValue else { throw fail("$.network", "expected a string") }
        guard let provider = root["stakingProviderId"].flatMap(Self.integerText), UInt256(decimal: provider) != nil else {
            throw fail("$.stakingProviderId", "expected a whole number (as a string or a number)")
        }
        guard let last = root["lastScrapedBlock"].flatMap(Self.integerText).flatMap({ UInt64($0) }) else {
            throw fail("$.lastScrapedBlock", "expected a block number (as a string or a number)")
        }
        guard let scrapedAt = root["scrapedAt"]?.stringValue else { throw fail("$.scrapedAt", "expected a string") }
        guard let version = root["version"]?.stringValue else { throw fail("$.version", "expected a string") }
        guard version == "1.0" else { throw fail("$.version", "version \(version) is not known; expected \"1.0\"") }
        guard let entries = root["mappings"]?.arrayValue else { throw fail("$.mappings", "expected an array") }
        var mappings: [CoinbaseMapping] = []
        mappings.reserveCapacity(entries.count)
        var seenAttesters = Set<KeysFileAddress>(minimumCapacity: entries.count)
        for (index, entry) in entries.enumerated() {
            let path = "$.mappings[\(index)]"
            guard let attester = entry["attesterAddress"]?.stringValue.flatMap(KeysFileAddress.init) else {
                throw fail(path + ".attesterAddress", "expected an address (0x + 40 hex digits)")
            }
            guard let coinbase = entry["coinbaseAddress"]?.stringValue.flatMap(KeysFileAddress.init) else {
                throw fail(path + ".coinbaseAddress", "expected an address (0x + 40 hex digits)")
            }
            guard let block = entry["blockNumber"].flatMap(Self.integerText).flatMap({ UInt64($0) }) else {
                throw fail(path + ".blockNumber", "expected a block number (as a string or a number)")
            }
            guard let hash = entry["blockHash"]?.stringValue else { throw fail(path + ".blockHash", "expected a string") }
            guard let time = entry["timestamp"].flatMap(Self.integerText).flatMap({ Int64($0) }) else {
                throw fail(path + ".timestamp", "expected a number of seconds")
            }
            if !seenAttesters.insert(attester).inserted {
                throw fail(path + ".attesterAddress", "attester \(attester.text) is mapped twice")
            }
            mappings.append(CoinbaseMapping(attesterAddress: attester, coinbaseAddress: coinbase, blockNumber: block,
                                            blockHash: hash, timestamp: time))
        }
        return CoinbaseCache(network: network, stakingProviderId: provider, lastScrapedBlock: last, mappings: mappings,
                             scrapedAt: scrapedAt, version: version)
    }

    /// The decimal digits of a JSON integer or of a string of digits.
    private static func integerText(_ value: JSONValue) -> String? {
        switch value {
        case .integer(let number) where number >= 0: return String(number)
        case .string(let text) where !text.isEmpty && text.allSatisfy({ $0.isASCII && $0.isNumber }): return text
        default: return nil
        }
    }

    // MARK: Writing

    /// The JSON as the original writes it (`JSON.stringify(cache, bigintToString, 2)`):
    /// keys in the original's order, big integers as strings, no newline at the end.
    public func encoded() -> Data {
        let members: [(String, OrderedJSON)] = [
            ("network", .value(.string(network))),
            ("stakingProviderId", .value(.string(stakingProviderId))),
            ("lastScrapedBlock", .value(.string(String(lastScrapedBlock)))),
            ("mappings", .array(mappings.map { mapping in
                .object([
                    ("attesterAddress", .value(.string(mapping.attesterAddress.text))),
                    ("coinbaseAddress", .value(.string(mapping.coinbaseAddress.text))),
                    ("blockNumber", .value(.string(String(mapping.blockNumber)))),
                    ("blockHash", .value(.string(mapping.blockHash))),
                    ("timestamp", .value(.integer(mapping.timestamp))),
                ])
            })),
            ("scrapedAt", .value(.string(scrapedAt))),
            ("version", .value(.string(version))),
        ]
        var text = ""
        OrderedJSON.object(members).render(into: &text, indent: 0)
        return Data(text.utf8)
    }

    /// Writes the cache atomically (temp file, fsync, rename), creating its folder when needed;
    /// a failed write leaves the previous file as it was.
    public func write(to url: URL) throws(CoinbaseCacheError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw CoinbaseCacheError(file: url.path, message: "cannot create its folder: \(KeysFile.reason(error))")
        }
        do {
            try AtomicFile.write(encoded(), to: url, mode: 0o644)
        } catch {
            throw CoinbaseCacheError(file: url.path, message: "cannot write it: \(error)")
        }
    }
}

/// A coinbase cache that cannot be read, parsed or written.
public struct CoinbaseCacheError: Error, Sendable, Equatable, CustomStringConvertible, InputError {
    /// The cache file's path.
    public let file: String
    /// What is wrong, with the JSON path of the field when there is one.
    public let message: String

    /// Creates the error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// "coinbase cache /path: $.mappings[3].blockNumber: expected …".
    public var description: String { "coinbase cache \(file): \(message)" }
}
