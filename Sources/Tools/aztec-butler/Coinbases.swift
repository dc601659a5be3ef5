import ButlerKit
import FleetKit
import Foundation

/// `scrape-coinbases` and `fill-coinbases`.
let coinbaseCommandSpecs = [
    CommandSpec(name: "scrape-coinbases", summary: "Map the keys files' attesters to their coinbases from the StakingRegistry's StakedWithProvider events",
                discussion: "Reads the provider's StakedWithProvider events in block chunks on ETHEREUM_ARCHIVE_NODE_URL (else ETHEREUM_NODE_URL, with a warning), keeps those of attesters in the keys files and merges them into {data dir}/{network}-cached-coinbases.json. Incremental runs start after the cache's lastScrapedBlock; the first run and --full start at the network's start block (mainnet 23786836, testnet 9595580, others 0). Two different non-zero coinbases for one attester are a conflict: exit 1 and the cache is left as it was. Needs AZTEC_STAKING_PROVIDER_ID; checks the Aztec node and the Ethereum node belong together first.",
                options: [
                    OptionSpec("full", help: "Rescan from the network's start block, merging into the cache"),
                    OptionSpec("from-block", value: "N", help: "Start at block N instead"),
                    OptionSpec("output", value: "PATH", help: "Cache file instead of {data dir}/{network}-cached-coinbases.json"),
                    OptionSpec("chunk-size", value: "N", help: "Blocks per eth_getLogs request (default 10000; halved when the node refuses)"),
                    OptionSpec("staking-registry", value: "ADDRESS", help: "The StakingRegistry, for chains other than mainnet and Sepolia"),
                    jsonOption,
                ]),
    CommandSpec(name: "fill-coinbases", summary: "Fill a keys file's empty coinbase fields from the coinbase cache",
                discussion: "Only validators without a coinbase are filled. A coinbase that differs from the cache is kept, with a warning; a zero address in the cache is never filled in. Nothing is written when nothing was filled. --increment-version writes {network}-keys-{serverId}-v{N+1}.json next to the file (N the highest version there) instead of overwriting it. Every write is atomic. --json prints the keys file, the file written (null when none), the coinbases filled, the disagreements, the zero coinbases of the cache and the attesters still unmapped; the warnings stay on standard error.",
                options: [
                    OptionSpec("keys-file", value: "FILE", help: "The keys file to fill (a bare name not found here is looked up in the data folder)"),
                    OptionSpec("increment-version", help: "Write the next version of the file instead of overwriting it"),
                    OptionSpec("cache", value: "FILE", help: "Coinbase cache instead of {data dir}/{network}-cached-coinbases.json"),
                    jsonOption,
                ]),
]

func scrapeCoinbases(_ parsed: ParsedCommand) async throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    guard let providerId = configuration.stakingProviderId?.uint64Value else {
        throw UsageError(message: "AZTEC_STAKING_PROVIDER_ID is not set (in \(configuration.configFile.path), the environment or --aztec-staking-provider-id): events are read for one provider", commandPath: parsed.path)
    }
    let chunkSize = UInt64(try parsed.int("chunk-size", range: 1...10_000_000) ?? 10_000)
    var start = CoinbaseScrapeStart.incremental
    if let text = parsed.value("from-block") {
        guard let block = UInt64(text) else {
            throw UsageError(message: "--from-block expects a block number, got '\(text)'", commandPath: parsed.path)
        }
        if parsed.flag("full") { throw UsageError(message: "--full and --from-block exclude each other", commandPath: parsed.path) }
        start = .block(block)
    } else if parsed.flag("full") {
        start = .full
    }
    var registry: EthereumAddress?
    if let text = parsed.value("staking-registry") {
        guard let address = EthereumAddress(hex: text) else {
            throw UsageError(message: "--staking-registry: '\(text)' is not an address (0x + 40 hex digits)", commandPath: parsed.path)
        }
        registry = address
    }
    let cacheURL = path(parsed, "output") ?? CoinbaseCache.defaultURL(dataDirectory: configuration.paths.dataDirectory, network: configuration.network)
    let discovery = try KeysDirectory(folder: configuration.paths.dataDirectory, network: configuration.network).discover()
    for failure in discovery.failures { io.writeError("aztec-butler: \(failure)\n") }
    let attesters = Set(discovery.merged.attesters.map(\.address.address))
    guard !attesters.isEmpty else {
        throw UsageError(message: "no attesters in the \(configuration.network) keys files of \(configuration.paths.dataDirectory.path): only attesters of the keys files are mapped", commandPath: parsed.path)
    }
    let context = try await ChainContext.connect(configuration)
    guard let registryAddress = registry ?? CoinbaseNetworks.stakingRegistry(chainId: context.chainId) else {
        throw UsageError(message: "chain \(context.chainId) is neither mainnet nor Sepolia: name its StakingRegistry with --staking-registry", commandPath: parsed.path)
    }
    let transport = CountingHTTPTransport(wrapping: URLSessionHTTPTransport())
    let archiveURL: URL
    if let archive = configuration.ethereumArchiveNodeURL {
        archiveURL = archive
    } else {
        archiveURL = configuration.ethereumNodeURL
        io.writeError("aztec-butler: warning: ETHEREUM_ARCHIVE_NODE_URL is not set; reading old logs from ETHEREUM_NODE_URL \(URLCredentials.masked(archiveURL.absoluteString)), which may not have them unless it is an archive node\n")
    }
    let archive = EthereumClient(url: archiveURL, transport: transport)
    if configuration.ethereumArchiveNodeURL != nil {
        let archiveChain = try await archive.chainID()
        guard archiveChain == context.chainId else {
            throw CoinbaseScrapeError(message: "the archive node \(URLCredentials.masked(archiveURL.absoluteString)) (ETHEREUM_ARCHIVE_NODE_URL) is chain \(archiveChain) but the Ethereum node is chain \(context.chainId)")
        }
    }
    let scrapeRequest = CoinbaseScrapeRequest(network: configuration.network, providerId: providerId, attesters: attesters,
                                              cacheURL: cacheURL, start: start, chunkSize: chunkSize)
    var report: CoinbaseScrapeReport
    do {
        report = try await CoinbaseScraper(client: archive, registry: registryAddress).run(scrapeRequest)
    } catch let conflict as CoinbaseConflict {
        io.writeError("aztec-butler: \(conflict)\naztec-butler: the cache \(cacheURL.path) was left unchanged\n")
        return ToolExitCode.failure
    }
    report.archiveRequests = transport.requestCount
    if parsed.flag("json") {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        io.writeOutput(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
    } else {
        io.writeOutput(scrapeSummary(report, registry: registryAddress))
    }
    return discovery.failures.isEmpty ? ToolExitCode.success : ToolExitCode.failure
}

func scrapeSummary(_ report: CoinbaseScrapeReport, registry: EthereumAddress) -> String {
    var lines: [String] = []
    if report.fromBlock > report.toBlock {
        lines.append("Up to date: the range starts at block \(report.fromBlock), after the node's latest block \(report.toBlock); nothing read, cache not written (last scraped block \(report.lastScrapedBlock))")
    } else {
        lines.append("Read blocks \(report.fromBlock)…\(report.toBlock) of StakingRegistry \(registry.checksummed) for provider \(report.stakingProviderId) (\(report.network)) in \(report.archiveRequests ?? 0) requests")
        lines.append("Events: \(report.eventsFound) found, \(report.eventsOfOtherAttesters) of attesters not in the keys files")
        lines.append("Mappings: \(report.added) added, \(report.updated) updated, \(report.ignoredZero) zero coinbases ignored, \(report.totalMappings) in the cache")
        lines.append("Cache: \(report.cacheFile) (last scraped block \(report.lastScrapedBlock))")
    }
    if !report.attestersWithoutMapping.isEmpty {
        lines.append("Attesters of the keys files without a coinbase mapping: \(report.attestersWithoutMapping.count)")
        lines += report.attestersWithoutMapping.map { "  \($0)" }
    }
    return lines.joined(separator: "\n") + "\n"
}

func fillCoinbases(_ parsed: ParsedCommand) throws -> Int32 {
    guard let keysText = parsed.value("keys-file") else {
        throw UsageError(message: "--keys-file FILE is required: the keys file whose empty coinbases to fill", commandPath: parsed.path)
    }
    let request = try request(parsed)
    let paths = ButlerPaths(environment: request.environment, homeDirectory: request.homeDirectory, dataDirectory: request.dataDirectory)
    var keysURL = URL(fileURLWithPath: keysText, relativeTo: io.currentDirectory).standardizedFileURL
    if !FileManager.default.fileExists(atPath: keysURL.path) && !keysText.contains("/") {
        keysURL = paths.dataDirectory.appendingPathComponent(keysText)
    }
    let keys = try KeysFile.read(from: keysURL)
    let cacheURL = path(parsed, "cache") ?? CoinbaseCache.defaultURL(dataDirectory: paths.dataDirectory, network: request.network)
    guard let cache = try CoinbaseCache.read(from: cacheURL) else {
        throw CoinbaseFillError(message: "no coinbase cache at \(cacheURL.path): run scrape-coinbases first (or name one with --cache)")
    }
    if cache.network != request.network {
        io.writeError("aztec-butler: warning: the coinbase cache \(cacheURL.path) is for network \(cache.network), not \(request.network)\n")
    }
    let target = try CoinbaseFill.target(for: keysURL, network: request.network, incrementVersion: parsed.flag("increment-version"))
    let result = CoinbaseFill.fill(keys, from: cache)
    for disagreement in result.disagreements { io.writeError("aztec-butler: warning: \(disagreement)\n") }
    for attester in result.zeroInCache {
        io.writeError("aztec-butler: warning: attester \(attester.text): the cache's coinbase is the zero address; not filled\n")
    }
    if result.changed { try result.file.write(to: target) }
    if parsed.flag("json") {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let report = CoinbaseFillReport(result, keysFile: keysURL, written: result.changed ? target : nil)
        io.writeOutput(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        return ToolExitCode.success
    }
    for filled in result.filled { io.writeOutput("filled \(filled.attester.text) → \(filled.coinbase.text)\n") }
    if !result.unmapped.isEmpty {
        io.writeOutput("\(result.unmapped.count) validator(s) still without a coinbase: the cache does not map them\n")
    }
    guard result.changed else {
        io.writeOutput("Nothing to fill in \(keysURL.lastPathComponent); no file written\n")
        return ToolExitCode.success
    }
    io.writeOutput("Wrote \(target.path): \(result.filled.count) coinbase(s) filled\n")
    return ToolExitCode.success
}
