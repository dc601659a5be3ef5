import ButlerKit
import FleetKit
import Foundation

let io = ToolIO.process()
func flagName(_ setting: ButlerSetting) -> String { setting.rawValue.lowercased().replacingOccurrences(of: "_", with: "-") }
func intervalOption(_ scraper: ButlerScraper) -> String { scraper.rawValue.replacingOccurrences(of: "_", with: "-") + "-interval" }

/// The option that makes `choice` in `command`.
func flag(_ choice: ButlerChoice, in command: String) -> String {
    switch choice {
    case .network: "--network"
    case .setting(let setting): "--" + flagName(setting)
    case .stakingRegistry: "--staking-registry"
    case .coinbaseCacheFile: command == "fill-coinbases" ? "--cache" : "--output"
    case .nextKeysFileVersion: "--increment-version"
    case .scrapeInterval(let scraper): "--" + intervalOption(scraper)
    case .serviceAccount: "--user"
    case .serviceProgram: "--executable"
    }
}

/// A library problem about a choice, rendered with the option that makes it in front.
struct FlaggedInputError: InputError { let description: String }
func rendered(_ error: any Error, _ parsed: ParsedCommand) -> any Error {
    guard let problem = error as? any ButlerChoiceProblem else { return error }
    let text = (problem.choice.map { flag($0, in: parsed.path.last ?? "") + ": " } ?? "") + problem.situation
    if error is ButlerRequestError || (error is ButlerDaemonError && problem.choice != nil) { return UsageError(message: text, commandPath: parsed.path) }
    return problem.choice == nil ? error : FlaggedInputError(description: text)
}

/// Writes the notes to standard error, then the value as JSON or its lines; the exit code says whether `failed`.
func render<Value: Encodable>(_ notes: [ButlerNote], _ value: Value?, _ lines: [String], _ parsed: ParsedCommand, slashes: Bool = true, failed: Bool) throws -> Int32 {
    for note in notes {
        let choice = note.choice.map { flag($0, in: parsed.path.last ?? "") + ": " } ?? ""
        io.writeError("aztec-butler: \(note.kind == .warning ? "warning: " : "")\(choice)\(note.situation)\n")
    }
    if let value, parsed.flag("json") { try io.writeJSON(value, escapingSlashes: slashes) } else if value != nil { io.writeOutput(lines.joined(separator: "\n") + "\n") }
    return failed ? ToolExitCode.failure : ToolExitCode.success
}

func path(_ parsed: ParsedCommand, _ option: String) -> URL? { parsed.value(option).map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory).standardizedFileURL } }

/// The address given with `--option` (or as the ADMIN argument); nil when absent. `exactLength: false` accepts any text the address parser does.
func address(_ parsed: ParsedCommand, _ option: String, exactLength: Bool = true) throws -> EthereumAddress? {
    guard let text = option == "ADMIN" ? parsed.arguments.first : parsed.value(option) else { return nil }
    return try address(text: text, option, parsed, exactLength: exactLength)
}
func address(text: String, _ option: String, _ parsed: ParsedCommand, exactLength: Bool = true) throws -> EthereumAddress {
    guard let address = EthereumAddress(hex: text), !exactLength || text.count == 42 else {
        throw UsageError(message: "\(option == "ADMIN" ? "" : "--")\(option): '\(text)' is not an address (0x + 40 hex digits)", commandPath: parsed.path)
    }
    return address
}

func request(_ parsed: ParsedCommand) throws -> ButlerConfigurationRequest {
    var flags: [ButlerSetting: ButlerGivenValue<String>] = [:]
    for setting in ButlerSetting.allCases where !setting.isSecret {
        if let value = parsed.value(flagName(setting)) { flags[setting] = ButlerGivenValue(value, name: "--" + flagName(setting)) }
    }
    return try .choosingNetwork(parsed.value("network"), flags: flags, environment: io.environment, homeDirectory: io.environment["HOME"] ?? NSHomeDirectory(),
                                configFile: path(parsed, "config"), dataDirectory: path(parsed, "data-dir").map { ButlerGivenValue($0, name: "--data-dir") })
}
func configuration(_ parsed: ParsedCommand) throws -> ButlerConfiguration { try ButlerConfiguration.load(try request(parsed)) }

func required(_ parsed: ParsedCommand, _ option: String, _ purpose: String = "") throws -> String {
    guard let value = parsed.value(option) else { throw UsageError(message: "--\(option) FILE is required\(purpose)", commandPath: parsed.path) }
    return value
}

func scrapeStart(_ parsed: ParsedCommand) throws -> CoinbaseScrapeStart {
    guard let text = parsed.value("from-block") else { return parsed.flag("full") ? .full : .incremental }
    guard let block = UInt64(text) else { throw UsageError(message: "--from-block expects a block number, got '\(text)'", commandPath: parsed.path) }
    try parsed.exclusive("full", "from-block")
    return .block(block)
}
func serve(_ parsed: ParsedCommand) async throws -> Int32 {
    let settings = try request(parsed)
    var options = ButlerDaemonOptions()
    for scraper in ButlerScraper.allCases { if let text = parsed.value(intervalOption(scraper)) { try options.intervals.set(scraper, seconds: text) } }
    options.stakingRegistry = try address(parsed, "staking-registry")
    options.multicall3 = try address(parsed, "multicall3") ?? Multicall3.canonicalAddress
    let log: @Sendable (String) -> Void = { [network = settings.network] line in io.writeError("aztec-butler[\(network)]: \(line)\n") }
    // SIGTERM and SIGINT cancel this task (the tool driver): the states are saved and the exit is 0. SIGHUP reloads.
    io.interruption.treatSignalsAsNormalStop()
    try await ButlerService.run(loading: { try ButlerConfiguration.load(settings) }, reloadRequests: io.interruption.hangupsAsReloadRequests(),
                                options: options, log: log)
    return ToolExitCode.success
}

func run(_ parsed: ParsedCommand) async throws -> Int32 {
    switch parsed.path.last {
    case "keys":
        let report = try KeysCheck(try request(parsed)).run()
        return try render([], report, report.textLines(), parsed, slashes: false, failed: report.hasProblems)
    case "config":
        let report = try configuration(parsed).report(revealsCredentials: parsed.flag("show-secrets"))
        return try render([], report, report.lines, parsed, slashes: false, failed: false)
    case "get-queue-stats":
        let report = try await EntryQueueStatsQuery(configuration: try configuration(parsed), multicall3: try address(parsed, "multicall3", exactLength: false) ?? Multicall3.canonicalAddress).run()
        return try render(report.notes, report.stats, report.lines, parsed, failed: report.notes.hasProblems)
    case "scrape-coinbases":
        let outcome = try await CoinbaseScrape(configuration: try configuration(parsed), start: try scrapeStart(parsed),
                                               chunkSize: UInt64(try parsed.int("chunk-size", range: 1...10_000_000) ?? 10_000), cacheFile: path(parsed, "output"),
                                               stakingRegistry: try address(parsed, "staking-registry", exactLength: false)).run()
        return try render(outcome.notes, outcome.report, outcome.lines, parsed, failed: outcome.notes.hasProblems)
    case "fill-coinbases":
        let keysFile = try required(parsed, "keys-file", ": the keys file whose empty coinbases to fill")
        let request = try request(parsed)
        let outcome = try CoinbaseFilling(network: request.network, dataDirectory: request.paths.dataDirectory, keysFile: keysFile, workingDirectory: io.currentDirectory,
                                          cacheFile: path(parsed, "cache"), writeNextVersion: parsed.flag("increment-version")).run()
        return try render(outcome.notes, outcome.report, outcome.lines, parsed, slashes: false, failed: false)
    case "attesters":
        let query = AttestersQuery(configuration: try configuration(parsed), stakingRegistry: try address(parsed, "staking-registry"),
                                   multicall3: try address(parsed, "multicall3") ?? Multicall3.canonicalAddress)
        if parsed.flag("csv") {
            let statistics = try await AttesterStatisticsQuery(query).run()
            io.writeOutput(statistics.csv)
            return try render(statistics.notes, String?.none, [], parsed, failed: statistics.notes.hasProblems)
        }
        let report = try await query.run()
        return try render(report.notes, report.placements, report.placements.textLines, parsed, failed: report.notes.hasProblems)
    case "prepare-deployment":
        let files = try ["production-keys", "new-public-keys", "available-publishers"].map { try path(parsed, $0) ?? URL(fileURLWithPath: try required(parsed, $0)) }
        let report = try await DeploymentPreparation(configuration: try configuration(parsed), productionKeys: files[0], newPublicKeys: files[1],
                                                     availablePublishers: files[2], outputDirectory: path(parsed, "output")).run()
        for line in report.lines { io.writeOutput(line + "\n") }
        _ = try render(report.notes, String?.none, [], parsed, failed: false)
        if !report.refusals.isEmpty { throw DeploymentError(problems: report.refusals) }
        return ToolExitCode.success
    case "get-provider-id":
        let configuration = try configuration(parsed)
        let report = try await ProviderLookup(configuration: configuration, admin: try address(parsed, "ADMIN"), stakingRegistry: try address(parsed, "staking-registry"),
                                              multicall3: try address(parsed, "multicall3") ?? Multicall3.canonicalAddress).run()
        return try render(report.notes, report.provider, report.provider?.lines ?? [], parsed, failed: report.provider == nil)
    case "check-publisher-eth", "get-publisher-eth":
        let report = try await PublisherFundingCheck(configuration: try configuration(parsed), multicall3: try address(parsed, "multicall3") ?? Multicall3.canonicalAddress).run()
        return try render(report.notes, report.funding, report.funding.textLines, parsed, failed: report.needsAttention)
    case "serve", "start-server": return try await serve(parsed)
    case "install-service":
        let request = try request(parsed)
        let configuration = try ButlerConfiguration.load(request)
        let program = parsed.value("executable") ?? URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: io.currentDirectory).standardizedFileURL.path
        let data = configuration.paths.dataDirectory.path
        let command = [program, "--network", configuration.network] + (request.configFile.map { ["--config", $0.path] } ?? []) + ["--data-dir", data, "serve"]
        io.writeOutput(try ButlerServiceUnit(network: configuration.network, command: command, user: parsed.value("user") ?? io.environment["USER"] ?? "root",
                                             dataDirectory: data).text)
        return ToolExitCode.success
    default:
        if let code = try await runKeyCommand(parsed) { return code }
        throw UsageError(message: "missing subcommand; expected one of: keys, config, get-queue-stats, scrape-coinbases, fill-coinbases, attesters, prepare-deployment, get-provider-id, check-publisher-eth, process-private-keys, add-keys, check-hosts, scrape-attester-status, serve, install-service", commandPath: parsed.path)
    }
}

let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io) { parsed in
    do { return try await run(parsed) } catch { throw rendered(error, parsed) }
}
exit(code)
