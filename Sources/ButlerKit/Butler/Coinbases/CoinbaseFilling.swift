import FleetKit
import Foundation

/// `fill-coinbases`: fills a keys file's empty coinbases from the coinbase cache with the
/// original's rules (``CoinbaseFill``) and writes the file over itself, or as its server's
/// next version, only when something was filled. Reads no configuration file.
public struct CoinbaseFilling: Sendable {
    /// The network whose keys file and cache are used.
    public var network: String
    /// The data folder: where a bare keys file name not found in the working folder is looked
    /// up, and where the default cache is.
    public var dataDirectory: URL
    /// The keys file as given: a path, or a bare name.
    public var keysFile: String
    /// The folder a relative `keysFile` is read from.
    public var workingDirectory: URL
    /// The coinbase cache; nil: `{data dir}/{network}-cached-coinbases.json`.
    public var cacheFile: URL?
    /// Write `{network}-keys-{serverId}-v{N+1}.json` next to the file instead of overwriting it.
    public var writeNextVersion: Bool

    /// Describes the fill.
    public init(network: String, dataDirectory: URL, keysFile: String, workingDirectory: URL, cacheFile: URL? = nil,
                writeNextVersion: Bool = false) {
        self.network = network
        self.dataDirectory = dataDirectory
        self.keysFile = keysFile
        self.workingDirectory = workingDirectory
        self.cacheFile = cacheFile
        self.writeNextVersion = writeNextVersion
    }

    /// The keys file read: `keysFile` in the working folder, or a bare name in the data folder.
    public var keysURL: URL {
        let given = URL(fileURLWithPath: keysFile, relativeTo: workingDirectory).standardizedFileURL
        if !FileManager.default.fileExists(atPath: given.path) && !keysFile.contains("/") {
            return dataDirectory.appendingPathComponent(keysFile)
        }
        return given
    }

    /// Fills and writes.
    /// - Throws: ``KeysFileError`` for a bad keys file, ``CoinbaseCacheError`` for a bad cache,
    ///   ``CoinbaseFillError`` when there is no cache or the next version has no name.
    public func run() throws -> CoinbaseFillOutcome {
        let source = keysURL
        let keys = try KeysFile.read(from: source)
        let cacheURL = cacheFile ?? CoinbaseCache.defaultURL(dataDirectory: dataDirectory, network: network)
        guard let cache = try CoinbaseCache.read(from: cacheURL) else {
            throw CoinbaseFillError(situation: "no coinbase cache at \(cacheURL.path): scrape the coinbases first, or name another cache file",
                                    choice: .coinbaseCacheFile)
        }
        var notes: [ButlerNote] = []
        if cache.network != network {
            notes.append(ButlerNote(.warning, "the coinbase cache \(cacheURL.path) is for network \(cache.network), not \(network)"))
        }
        let target = try CoinbaseFill.target(for: source, network: network, incrementVersion: writeNextVersion)
        let result = CoinbaseFill.fill(keys, from: cache)
        notes += result.disagreements.map { ButlerNote(.warning, $0.description) }
        notes += result.zeroInCache.map { ButlerNote(.warning, "attester \($0.text): the cache's coinbase is the zero address; not filled") }
        if result.changed { try result.file.write(to: target) }
        return CoinbaseFillOutcome(report: CoinbaseFillReport(result, keysFile: source, written: result.changed ? target : nil), notes: notes)
    }
}

/// What ``CoinbaseFilling`` did.
public struct CoinbaseFillOutcome: Sendable, Codable, Equatable {
    /// The fill, in the JSON shape tools print.
    public var report: CoinbaseFillReport
    /// Warnings: a cache of another network, disagreements, zero coinbases in the cache.
    public var notes: [ButlerNote]

    /// The fill for people.
    public var lines: [String] {
        var lines = report.filled.map { "filled \($0.attester) → \($0.coinbase)" }
        if !report.unmapped.isEmpty {
            lines.append("\(report.unmapped.count) validator(s) still without a coinbase: the cache does not map them")
        }
        let name = URL(fileURLWithPath: report.keysFile).lastPathComponent
        guard let written = report.written else { return lines + ["Nothing to fill in \(name); no file written"] }
        return lines + ["Wrote \(written): \(report.filled.count) coinbase(s) filled"]
    }
}
