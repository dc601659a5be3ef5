import FleetKit
import Foundation

/// `prepare-deployment`: merges the production keys file and the new public keys into one new
/// keys file per server of the publishers file (``DeploymentPlan``), checks every publisher's
/// balance in one batched request and writes the files only when every rule holds.
public struct DeploymentPreparation: Sendable {
    /// The network's checked configuration.
    public var configuration: ButlerConfiguration
    /// The keys file in production (needs validators and remoteSigner).
    public var productionKeys: URL
    /// The new validators (public keys; publisher and coinbase may be absent).
    public var newPublicKeys: URL
    /// JSON object: server id → array of publisher addresses.
    public var availablePublishers: URL
    /// Where to write the files; nil: the data folder.
    public var outputDirectory: URL?
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport

    /// Describes the preparation.
    public init(configuration: ButlerConfiguration, productionKeys: URL, newPublicKeys: URL, availablePublishers: URL,
                outputDirectory: URL? = nil, http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.productionKeys = productionKeys
        self.newPublicKeys = newPublicKeys
        self.availablePublishers = availablePublishers
        self.outputDirectory = outputDirectory
        self.http = http
    }

    /// Plans, checks the funding and writes; a publisher without ETH is a problem of the
    /// report and nothing is written.
    /// - Throws: ``KeysFileError`` for bad input files, ``ButlerRequestError`` for an unreadable
    ///   publishers file, ``DeploymentError`` for a broken rule, ``ChainContextError`` or the chain's errors.
    public func run() async throws -> DeploymentPreparationReport {
        let dataDirectory = configuration.paths.dataDirectory
        let network = configuration.network
        let output = outputDirectory ?? dataDirectory
        let production = try NamedKeysFile.production(from: productionKeys)
        let newKeys = try NamedKeysFile.newPublicKeys(from: newPublicKeys)
        let publishersData: Data
        do {
            publishersData = try BoundedFile.read(availablePublishers, limit: KeysFile.maximumFileSize)
        } catch {
            throw ButlerRequestError("cannot read the publishers file \(availablePublishers.path): \(error.reasonText)")
        }
        let publishers = try AvailablePublishers.decode(publishersData, fileName: availablePublishers.lastPathComponent)
        let cache = CachedCoinbases.read(from: CachedCoinbases.url(dataDirectory: dataDirectory, network: network))
        var notes = cache.warnings.map { ButlerNote(.warning, $0) }
        var existing = try KeysDirectory(folder: output, network: network).fileNames()
        if output.standardizedFileURL.path != dataDirectory.standardizedFileURL.path {
            existing += try KeysDirectory(folder: dataDirectory, network: network).fileNames()
        }
        let plan = try DeploymentPlan.plan(network: network, production: production, newKeys: newKeys, publishers: publishers,
                                           cachedCoinbases: cache, existing: existing)
        // As every chain command: both nodes must belong to the same network; then every
        // publisher's balance in one JSON-RPC batch.
        let ethereum = try await ChainContext.connect(configuration, http: http).ethereum
        let balances: [UInt256]
        do {
            balances = try await ethereum.balances(of: plan.publishers)
        } catch {
            throw DeploymentError(problems: ["the Ethereum node \(URLCredentials.masked(configuration.ethereumNodeURL.absoluteString)) (ETHEREUM_NODE_URL) did not answer eth_getBalance: \(error); nothing was written"])
        }
        let funding = plan.fundingCheck(balances: Dictionary(zip(plan.publishers, balances), uniquingKeysWith: { first, _ in first }),
                                        minimumPerAttester: configuration.minEthPerAttester)
        notes += funding.warnings.map { ButlerNote(.warning, $0) }
        var report = DeploymentPreparationReport(fundingLines: funding.lines, notes: notes, refusals: [], written: [],
                                                 productionCount: plan.productionCount, newCount: plan.newCount,
                                                 coinbasesFromCache: plan.coinbasesFromCache)
        guard funding.fatal.isEmpty else {
            report.refusals = funding.fatal + ["nothing was written"]
            return report
        }
        report.written = try plan.write(to: output).map(\.path)
        return report
    }
}

/// What ``DeploymentPreparation`` checked and wrote.
public struct DeploymentPreparationReport: Sendable, Codable, Equatable {
    /// One line per publisher: its balance and its need.
    public var fundingLines: [String]
    /// Warnings: a bad coinbase cache, publishers below their need.
    public var notes: [ButlerNote]
    /// The fatal rules that failed (a publisher without ETH); nothing was written when any.
    public var refusals: [String]
    /// The keys files written.
    public var written: [String]
    /// Validators taken from the production file.
    public var productionCount: Int
    /// Validators taken from the new public keys.
    public var newCount: Int
    /// Coinbases taken from the coinbase cache.
    public var coinbasesFromCache: Int

    /// The report for people: the funding, then what was written.
    public var lines: [String] {
        let funding = fundingLines.map { "  " + $0 }
        guard refusals.isEmpty else { return funding }
        return funding + ["\(productionCount + newCount) validators (\(productionCount) in production + \(newCount) new), \(coinbasesFromCache) coinbases from the cache"]
            + written.map { "wrote \($0)" }
    }
}
