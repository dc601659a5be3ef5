import FleetKit
import Foundation

/// `add-keys` (phase 5 of the operator guide, `get-add-keys-to-staking-provider-calldata` in
/// the original): the calldata of `addKeysToProvider` for the registration files' attesters
/// that are neither in the provider's queue nor in the rollup, and a Safe batch file of it.
public struct AddKeysCalldata: Sendable {
    /// The network's checked configuration (nodes, provider).
    public var configuration: ButlerConfiguration
    /// The registration files (`*_staker_output.json`).
    public var registrationFiles: [URL]
    /// Where the Safe Transaction Builder batch is written; nil: not written.
    public var safeBatchFile: URL?
    /// The StakingRegistry; nil: the known one of the L1 chain.
    public var stakingRegistry: EthereumAddress?
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport
    /// The batch file's creation time.
    public var now: Date

    /// Describes the run.
    public init(configuration: ButlerConfiguration, registrationFiles: [URL], safeBatchFile: URL?, stakingRegistry: EthereumAddress? = nil,
                multicall3: EthereumAddress = Multicall3.canonicalAddress, http: any HTTPTransport = URLSessionHTTPTransport(), now: Date = Date()) {
        self.configuration = configuration
        self.registrationFiles = registrationFiles
        self.safeBatchFile = safeBatchFile
        self.stakingRegistry = stakingRegistry
        self.multicall3 = multicall3
        self.http = http
        self.now = now
    }

    /// The registration files `paths` name: a file as it is, a folder as every
    /// `*_staker_output.json` in it, sorted by name.
    public static func registrationFiles(in paths: [URL]) throws -> [URL] {
        try paths.flatMap { url -> [URL] in
            var folder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &folder), folder.boolValue else { return [url] }
            return try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
                .filter { $0.lastPathComponent.hasSuffix(RegistrationFile.nameSuffix) }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

    /// Reads the files, then the provider queue, the attesters' views and the entry queue (each
    /// batched), and builds the calldata of the attesters still to add.
    /// - Throws: ``KeysFileError`` for a bad file, ``ButlerRequestError`` without files or provider,
    ///   ``ChainContextError`` and the chain's errors.
    public func run() async throws -> AddKeysReport {
        guard !registrationFiles.isEmpty else { throw ButlerRequestError("no registration file (*\(RegistrationFile.nameSuffix)) was given or found") }
        var keyStores: [AttesterKeyStore] = []
        var skipped: [SkippedAttester] = []
        var seen = Set<EthereumAddress>()
        for file in registrationFiles {
            for keyStore in try RegistrationFile.read(from: file) {
                if seen.insert(keyStore.attester).inserted {
                    keyStores.append(keyStore)
                } else {
                    skipped.append(SkippedAttester(attester: keyStore.attester.checksummed, reason: "listed again in \(file.lastPathComponent)"))
                }
            }
        }
        let context = try await ChainContext.connect(configuration, multicall3: multicall3, http: http)
        guard let target = try await StakingProviderTarget.resolve(configuration, context: context, registry: stakingRegistry) else {
            throw ButlerRequestError("no staking provider is configured: give its id (or its admin's address)", choice: .setting(.stakingProviderId))
        }
        let providerQueue = Set(try await target.queue(on: context))
        let rollup = RollupReader(client: context.ethereum, rollup: context.rollup, strategy: context.strategy)
        var statuses: [EthereumAddress: AttesterView.Status] = [:]
        for view in try await rollup.attesterViews(of: keyStores.map(\.attester)) { statuses[view.attester] = view.status }
        let entryQueue = Set(try await rollup.entryQueue().map(\.attester))
        var adding: [AttesterKeyStore] = []
        for keyStore in keyStores {
            let status = statuses[keyStore.attester] ?? .none
            let reason: String? = providerQueue.contains(keyStore.attester) ? "already in provider \(target.providerId)'s queue"
                : entryQueue.contains(keyStore.attester) ? "already in the rollup's entry queue"
                : status != .none ? "already in the rollup (status \(status))" : nil
            if let reason { skipped.append(SkippedAttester(attester: keyStore.attester.checksummed, reason: reason)) } else { adding.append(keyStore) }
        }
        var proposal: CalldataProposal?
        var batchWritten: String?
        if !adding.isEmpty {
            let built = try ProviderAdminCalldata.addKeys(registry: target.registry, providerId: target.providerId, keyStores: adding)
            proposal = built
            if let safeBatchFile {
                let data = try SafeTransactionBatch.json(chainId: context.chainId, name: "Add \(adding.count) keys to provider \(target.providerId)",
                                                         description: "addKeysToProvider on \(configuration.network)", createdAt: now, proposals: [built])
                try AtomicFile.write(data, to: safeBatchFile, mode: 0o644)
                batchWritten = safeBatchFile.path
            }
        }
        return AddKeysReport(network: configuration.network, providerId: target.providerId, adding: adding.map(\.attester.checksummed),
                             skipped: skipped, proposal: proposal, safeBatchFile: batchWritten)
    }
}

/// An attester of the registration files left out, and why.
public struct SkippedAttester: Sendable, Codable, Equatable {
    /// The attester, checksummed.
    public let attester: String
    /// Why it is not added.
    public let reason: String
}

/// What ``AddKeysCalldata`` built.
public struct AddKeysReport: Sendable, Codable, Equatable {
    /// The network.
    public let network: String
    /// The staking provider the keys are added to.
    public let providerId: UInt64
    /// The attesters the calldata adds, in file order.
    public let adding: [String]
    /// The attesters left out.
    public let skipped: [SkippedAttester]
    /// The transaction; `nil` when there is nothing to add.
    public let proposal: CalldataProposal?
    /// The Safe batch file written; `nil` when none was.
    public let safeBatchFile: String?

    /// The report for people: contract, function, attesters, calldata.
    public var lines: [String] {
        var lines = ["\(network): add keys to staking provider \(providerId)"]
        lines += skipped.map { "  left out \($0.attester): \($0.reason)" }
        guard let proposal else { return (lines + ["nothing to add: every attester is already queued or in the rollup"]).map(TerminalText.escaped) }
        lines.append("attesters (\(adding.count)):")
        lines += adding.enumerated().map { "  \($0 + 1). \($1)" }
        lines += proposal.lines
        if let safeBatchFile { lines.append("Safe Transaction Builder batch: \(safeBatchFile)") }
        lines.append("submit it from the provider admin's multisig (value 0)")
        return lines.map(TerminalText.escaped)
    }
}
