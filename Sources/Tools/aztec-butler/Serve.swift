import ButlerKit
import Dispatch
import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let serveOptions: [OptionSpec] = ButlerScraper.allCases.map { scraper in
    OptionSpec(scraper.intervalOption, value: "SECONDS",
               help: "How often the \(scraper.rawValue.replacingOccurrences(of: "_", with: " ")) scraper runs (default \(Int(scraper.defaultInterval.seconds)))")
} + [registryOption, multicallOption]

let serveDiscussion = """
    Serves /metrics (Prometheus text format, the original Butler's metric names plus scrape health and per-attester duties) and /healthz on METRICS_HOST:METRICS_PORT (default 127.0.0.1:9464). With METRICS_BEARER_TOKEN set, /metrics needs "Authorization: Bearer <token>"; any METRICS_HOST beyond loopback requires the token. Attester states are kept in {dataDir}/{network}-attester-state.json and restored on restart; keys files are reloaded when they change. A failing Ethereum or Aztec node never stops the daemon: the affected metrics keep their last values and aztec_butler_scrape_errors_total grows until it recovers. SIGTERM or SIGINT stops it with the states saved.
    """

let serveCommandSpecs = [
    CommandSpec(name: "serve", summary: "Run the metrics daemon: attester states, queues, publisher balances and duties for Prometheus",
                discussion: serveDiscussion, options: serveOptions),
    CommandSpec(name: "start-server", summary: "The same as serve (the name the original's README uses)",
                discussion: serveDiscussion, options: serveOptions),
    CommandSpec(name: "install-service", summary: "Print a systemd unit that runs serve for this network",
                discussion: "Prints aztec-butler-{network}.service for /etc/systemd/system/: Type=simple, Restart=always, RestartSec=5, sandboxed (NoNewPrivileges, ProtectSystem=strict, writes only to the data folder). The bearer token stays in the configuration file, never in the unit. Install with: aztec-butler --network NAME install-service | sudo tee /etc/systemd/system/aztec-butler-NAME.service && sudo systemctl daemon-reload && sudo systemctl enable --now aztec-butler-NAME",
                options: [
                    OptionSpec("user", value: "NAME", help: "Account the service runs as (default: the current one)"),
                    OptionSpec("executable", value: "PATH", help: "Path of aztec-butler in the unit (default: this program's)"),
                ]),
]

func serve(_ parsed: ParsedCommand) async throws -> Int32 {
    let configuration = try ButlerConfiguration.load(try request(parsed))
    var options = ButlerDaemonOptions()
    do {
        for scraper in ButlerScraper.allCases {
            if let text = parsed.value(scraper.intervalOption) { try options.intervals.set(scraper, seconds: text) }
        }
    } catch {
        throw UsageError(message: error.message, commandPath: parsed.path)
    }
    options.stakingRegistry = try addressOption(parsed, "staking-registry")
    options.multicall3 = try addressOption(parsed, "multicall3") ?? Multicall3.canonicalAddress
    do {
        _ = try ButlerService.endpoint(configuration)
    } catch {
        throw ButlerConfigError(message: error.message)
    }
    let network = configuration.network
    let log: @Sendable (String) -> Void = { line in io.writeError("aztec-butler[\(network)]: \(line)\n") }
    let service = Task {
        try await ButlerService.run(configuration: configuration, options: options, log: log, listening: { host, port in
            let shown = host.contains(":") ? "[\(host)]" : host
            log("serving http://\(shown):\(port)/metrics and /healthz")
        })
    }
    // SIGTERM (systemd) and SIGINT (Ctrl-C) end the service; the states are saved on the way out.
    let signals = [SIGTERM, SIGINT].map { number -> DispatchSourceSignal in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { service.cancel() }
        source.resume()
        return source
    }
    defer { signals.forEach { $0.cancel() } }
    try await service.value
    log("stopped; attester states saved")
    return ToolExitCode.success
}

func installService(_ parsed: ParsedCommand) throws -> Int32 {
    let request = try request(parsed)
    let configuration = try ButlerConfiguration.load(request)
    let executable = parsed.value("executable") ?? URL(fileURLWithPath: CommandLine.arguments[0], relativeTo: io.currentDirectory).standardizedFileURL.path
    guard executable.hasPrefix("/") else {
        throw UsageError(message: "--executable: '\(executable)' is not an absolute path", commandPath: parsed.path)
    }
    let user = parsed.value("user") ?? io.environment["USER"] ?? "root"
    guard !user.isEmpty, user.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
        throw UsageError(message: "--user: '\(user)' is not an account name", commandPath: parsed.path)
    }
    let unit = ButlerServiceUnit(network: configuration.network, executable: executable, user: user,
                                 configFile: request.configFile?.path, dataDirectory: configuration.paths.dataDirectory.path)
    io.writeOutput(unit.text)
    return ToolExitCode.success
}
