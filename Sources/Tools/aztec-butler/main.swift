import ButlerKit
import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--network`, `--config`, `--data-dir`, and one flag per non-secret setting of `{network}-base.env`.
let globalOptions = [
    OptionSpec("network", value: "NAME", help: "Network (mainnet, testnet …); default: the only configured one, else testnet"),
    OptionSpec("config", value: "FILE", help: "Configuration file instead of $XDG_CONFIG_HOME/aztec-butler/{network}-base.env"),
    OptionSpec("data-dir", value: "DIR", help: "Data folder instead of $XDG_DATA_HOME/aztec-butler (keys files)"),
] + ButlerSetting.allCases.compactMap { setting in
    setting.flag.map { OptionSpec($0, value: "VALUE", help: "\(setting.help) (\(setting.variable))") }
}
let jsonOption = OptionSpec("json", help: "Print JSON instead of text")
let registryOption = OptionSpec("staking-registry", value: "ADDRESS", help: "The StakingRegistry contract; default: the known one of mainnet and Sepolia")
let multicallOption = OptionSpec("multicall3", value: "ADDRESS", help: "Where Multicall3 is deployed, for chains where it is not at its usual address (0xcA11bde05977b3631167028862bE2a173976CA11)")

let spec = CommandSpec(
    name: "aztec-butler",
    summary: "Manage the keys files and configuration of an Aztec node fleet, as the original Aztec Butler does.",
    discussion: "Settings come from flags, then the environment, then {network}-base.env, then defaults; METRICS_BEARER_TOKEN only from the environment or the file. Exit codes: 0 fine, 1 problems found, 2 usage or input error.",
    options: globalOptions,
    subcommands: [
        CommandSpec(name: "keys", summary: "List each server's newest keys file, the merged totals and every problem",
                    discussion: "Looks in the data folder for {network}-keys-{serverId}-v{N}.json and keeps each server's highest version. Bad files, an attester on two servers and a publisher shared by two servers are problems: exit 1.",
                    options: [jsonOption]),
        CommandSpec(name: "get-queue-stats", summary: "The rollup's entry queue and when the provider's attesters arrive in the validator set",
                    discussion: "Asks the Aztec node for the rollup address and checks the L1 chain id against the Ethereum node first. The provider's attesters are those of the keys files found in the entry queue; the next one without a coinbase is named. While the queue is bootstrapping (flush size 0) there is no arrival time. --json has the original Butler's shape. Needs AZTEC_STAKING_PROVIDER_ID.",
                    options: [jsonOption, multicallOption]),
        CommandSpec(name: "attesters", summary: "Every attester of the keys files: on-chain status, queue place and arrival, coinbase, server",
                    discussion: "Reads getAttesterView for every attester in one Multicall3 pass, the rollup's entry queue and the provider's StakingRegistry queue in batches (5,000 attesters cost about ten HTTP requests). Places: PROVIDER_QUEUE (with position), ENTRY_QUEUE (with position and arrival time; none while bootstrapping), VALIDATING, LEAVING (ZOMBIE or EXITING), NOT_ON_CHAIN. The provider queue needs AZTEC_STAKING_PROVIDER_ID and a StakingRegistry (known for mainnet and Sepolia, else --staking-registry). Exit 1 when a keys file cannot be used.",
                    options: [jsonOption, registryOption, multicallOption]),
        CommandSpec(name: "prepare-deployment", summary: "Merge production and new keys into one new keys file per server, publishers assigned round-robin",
                    discussion: "Every server of --available-publishers ({\"serverId\": [\"0xpub…\"]}) gets {network}-keys-{serverId}-v{N+1}.json holding the production validators then the new ones, each publisher[i % n] of that server; coinbases come from the production file, else {dataDir}/{network}-cached-coinbases.json; schemaVersion and remoteSigner are the production file's. Fatal (exit 1, nothing written): an attester in both inputs, a zero-address coinbase, a publisher under two servers, a publisher with 0 ETH (all balances in one batched request to ETHEREUM_NODE_URL). A publisher below MIN_ETH_PER_ATTESTER × its attesters is a warning. N is the highest version of the server in the output and data folders. Bad input files: exit 2, naming the file and JSON path.",
                    options: [
                        OptionSpec("production-keys", value: "FILE", help: "The keys file in production (needs validators and remoteSigner)"),
                        OptionSpec("new-public-keys", value: "FILE", help: "The new validators (public keys; publisher and coinbase may be absent)"),
                        OptionSpec("available-publishers", value: "FILE", help: "JSON object: server id → array of publisher addresses"),
                        OptionSpec("output", short: "o", value: "DIR", help: "Where to write the files; default: the data folder"),
                    ]),
        CommandSpec(name: "config", summary: "Show the effective configuration and where each value came from (secrets as ***)",
                    discussion: "Exit 2 when a value cannot work (bad URL, port, id, amount), naming the variable and where it came from.",
                    options: [jsonOption]),
    ] + coinbaseCommandSpecs + providerCommandSpecs + serveCommandSpecs)

let io = ToolIO.process()

/// A path from the command line, relative to the working directory.
func path(_ parsed: ParsedCommand, _ option: String) -> URL? {
    parsed.value(option).map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory).standardizedFileURL }
}

/// The network, data folder and configuration request the command line asks for.
func request(_ parsed: ParsedCommand) throws -> ButlerConfigurationRequest {
    let home = io.environment["HOME"] ?? NSHomeDirectory()
    let configFile = path(parsed, "config")
    let paths = ButlerPaths(environment: io.environment, homeDirectory: home)
    let network = try ButlerNetwork.choose(requested: parsed.value("network"), configFile: configFile,
                                           configured: paths.configuredNetworks())
    var flags: [ButlerSetting: String] = [:]
    for setting in ButlerSetting.allCases {
        if let flag = setting.flag, let value = parsed.value(flag) { flags[setting] = value }
    }
    return ButlerConfigurationRequest(network: network, flags: flags, environment: io.environment, homeDirectory: home,
                                      configFile: configFile, dataDirectory: path(parsed, "data-dir"))
}

func keys(_ parsed: ParsedCommand) throws -> Int32 {
    let request = try request(parsed)
    let paths = ButlerPaths(environment: request.environment, homeDirectory: request.homeDirectory, dataDirectory: request.dataDirectory)
    let report = KeysReport(try KeysDirectory(folder: paths.dataDirectory, network: request.network).discover())
    if parsed.flag("json") {
        io.writeOutput(String(decoding: try report.jsonData(), as: UTF8.self) + "\n")
    } else {
        io.writeOutput(report.textLines().joined(separator: "\n") + "\n")
    }
    return report.hasProblems ? ToolExitCode.failure : ToolExitCode.success
}

func config(_ parsed: ParsedCommand) throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    if parsed.flag("json") {
        io.writeOutput(String(decoding: try configuration.reportJSONData(), as: UTF8.self) + "\n")
    } else {
        io.writeOutput(configuration.reportLines().joined(separator: "\n") + "\n")
    }
    return ToolExitCode.success
}

func queueStats(_ parsed: ParsedCommand) async throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    guard let providerId = configuration.stakingProviderId?.uint64Value else {
        throw UsageError(message: "AZTEC_STAKING_PROVIDER_ID is not set (in \(configuration.configFile.path), the environment or --aztec-staking-provider-id): the queue is read for one provider", commandPath: parsed.path)
    }
    var multicall3 = Multicall3.canonicalAddress
    if let text = parsed.value("multicall3") {
        guard let address = EthereumAddress(hex: text) else {
            throw UsageError(message: "--multicall3: '\(text)' is not an address (0x + 40 hex digits)", commandPath: parsed.path)
        }
        multicall3 = address
    }
    let discovery = try KeysDirectory(folder: configuration.paths.dataDirectory, network: configuration.network).discover()
    for failure in discovery.failures { io.writeError("aztec-butler: \(failure)\n") }
    let context = try await ChainContext.connect(configuration, multicall3: multicall3)
    let stats = try await QueueStatsCollector(context: context)
        .collect(network: configuration.network, providerId: providerId, keys: discovery.merged)
    if parsed.flag("json") {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        io.writeOutput(String(decoding: try encoder.encode(stats), as: UTF8.self) + "\n")
    } else {
        io.writeOutput(stats.summary)
    }
    return discovery.failures.isEmpty ? ToolExitCode.success : ToolExitCode.failure
}

/// The address given with `--option`; nil when the option is absent, a usage error when it is not an address.
func addressOption(_ parsed: ParsedCommand, _ option: String) throws -> EthereumAddress? {
    guard let text = parsed.value(option) else { return nil }
    guard let address = EthereumAddress(hex: text), text.count == 42 else {
        throw UsageError(message: "--\(option): '\(text)' is not an address (0x + 40 hex digits)", commandPath: parsed.path)
    }
    return address
}

func attesters(_ parsed: ParsedCommand) async throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    let multicall3 = try addressOption(parsed, "multicall3") ?? Multicall3.canonicalAddress
    let registryFlag = try addressOption(parsed, "staking-registry")
    let discovery = try KeysDirectory(folder: configuration.paths.dataDirectory, network: configuration.network).discover()
    for failure in discovery.failures { io.writeError("aztec-butler: \(failure)\n") }
    let context = try await ChainContext.connect(configuration, multicall3: multicall3)
    let providerId = configuration.stakingProviderId?.uint64Value
    let registry = registryFlag ?? StakingRegistryDeployments.address(chainId: context.chainId)
    if providerId != nil && registry == nil {
        io.writeError("aztec-butler: no StakingRegistry is known for L1 chain \(context.chainId); give --staking-registry to read the provider queue\n")
    }
    let report = try await AttesterPlacementCollector(context: context, stakingRegistry: registry)
        .collect(network: configuration.network, providerId: providerId, keys: discovery.merged)
    if parsed.flag("json") {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        io.writeOutput(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
    } else {
        io.writeOutput(report.textLines.joined(separator: "\n") + "\n")
    }
    return discovery.failures.isEmpty ? ToolExitCode.success : ToolExitCode.failure
}

func prepareDeployment(_ parsed: ParsedCommand) async throws -> Int32 {
    func required(_ option: String) throws -> URL {
        guard let url = path(parsed, option) else {
            throw UsageError(message: "--\(option) FILE is required", commandPath: parsed.path)
        }
        return url
    }
    let productionURL = try required("production-keys")
    let newURL = try required("new-public-keys")
    let publishersURL = try required("available-publishers")
    let configuration = try ButlerConfiguration.load(try request(parsed))
    let output = path(parsed, "output") ?? configuration.paths.dataDirectory
    let production = try NamedKeysFile.production(from: productionURL)
    let newKeys = try NamedKeysFile.newPublicKeys(from: newURL)
    let publishersData: Data
    do {
        publishersData = try Data(contentsOf: publishersURL)
    } catch {
        throw UsageError(message: "cannot read the publishers file \(publishersURL.path)", commandPath: parsed.path)
    }
    let publishers = try AvailablePublishers.decode(publishersData, fileName: publishersURL.lastPathComponent)
    let cache = CachedCoinbases.read(from: CachedCoinbases.url(dataDirectory: configuration.paths.dataDirectory, network: configuration.network))
    for warning in cache.warnings { io.writeError("aztec-butler: warning: \(warning)\n") }
    var existing = try KeysDirectory(folder: output, network: configuration.network).fileNames()
    if output.standardizedFileURL.path != configuration.paths.dataDirectory.standardizedFileURL.path {
        existing += try KeysDirectory(folder: configuration.paths.dataDirectory, network: configuration.network).fileNames()
    }
    let plan = try DeploymentPlan.plan(network: configuration.network, production: production, newKeys: newKeys, publishers: publishers,
                                       cachedCoinbases: cache, existing: existing)
    // As every chain command: both nodes must belong to the same network; then every
    // publisher's balance in one JSON-RPC batch.
    let ethereum = try await ChainContext.connect(configuration).ethereum
    let addresses = plan.publishers
    let balances: [UInt256]
    do {
        balances = try await ethereum.balances(of: addresses)
    } catch {
        throw DeploymentError(problems: ["the Ethereum node \(URLCredentials.masked(configuration.ethereumNodeURL.absoluteString)) (ETHEREUM_NODE_URL) did not answer eth_getBalance: \(error); nothing was written"])
    }
    let funding = plan.fundingCheck(balances: Dictionary(zip(addresses, balances), uniquingKeysWith: { first, _ in first }),
                                    minimumPerAttester: configuration.minEthPerAttester)
    for line in funding.lines { io.writeOutput("  \(line)\n") }
    for warning in funding.warnings { io.writeError("aztec-butler: warning: \(warning)\n") }
    guard funding.fatal.isEmpty else {
        throw DeploymentError(problems: funding.fatal + ["nothing was written"])
    }
    let written = try plan.write(to: output)
    io.writeOutput("\(plan.productionCount + plan.newCount) validators (\(plan.productionCount) in production + \(plan.newCount) new), \(plan.coinbasesFromCache) coinbases from the cache\n")
    for url in written { io.writeOutput("wrote \(url.path)\n") }
    return ToolExitCode.success
}

let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io) { parsed in
    switch parsed.path.last {
    case "keys": return try keys(parsed)
    case "config": return try config(parsed)
    case "get-queue-stats": return try await queueStats(parsed)
    case "scrape-coinbases": return try await scrapeCoinbases(parsed)
    case "fill-coinbases": return try fillCoinbases(parsed)
    case "attesters": return try await attesters(parsed)
    case "prepare-deployment": return try await prepareDeployment(parsed)
    case "get-provider-id": return try await getProviderId(parsed)
    case "check-publisher-eth", "get-publisher-eth": return try await checkPublisherEth(parsed)
    case "serve", "start-server": return try await serve(parsed)
    case "install-service": return try installService(parsed)
    default: throw UsageError(message: "missing subcommand; expected one of: keys, config, get-queue-stats, scrape-coinbases, fill-coinbases, attesters, prepare-deployment, get-provider-id, check-publisher-eth, serve, install-service", commandPath: parsed.path)
    }
}
exit(code)
