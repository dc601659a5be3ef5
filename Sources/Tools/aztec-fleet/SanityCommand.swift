import ButlerKit
import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `aztec-fleet sanity`: options, local and fleet modes.
let sanitySpec = CommandSpec(
    name: "sanity",
    summary: "The testnet runbook's post-deployment checks on every node, classified: log markers and catalogue messages, chain progress, network verdict",
    discussion: """
        Over SSH, each server's node container log of the last --since is streamed through the scanner while the node's \
        JSON-RPC (127.0.0.1:--rpc-port on the server) is sampled at the start and the end of --window. Findings are the \
        runbook's events with a criticality (Blocker, Critical, Major, Minor) and an action; the network is unstable when \
        any instability condition holds. With --log FILE (or - for standard input) a local log is scanned instead, without SSH. \
        Exit codes: 0 no Blocker or Critical finding, 1 some, 2 usage or input error.
        """,
    arguments: [ArgumentSpec("INVENTORY", help: "servers.csv: one server per row (not with --log)", optional: true)],
    options: FleetOptions.specs(defaultTimeout: 300, defaultUser: "ubuntu") + inventoryOptions + [
        OptionSpec("log", value: "FILE", help: "Scan this local log (- for standard input) instead of the servers' logs"),
        OptionSpec("node", value: "URL", help: "With --log: also sample this node's JSON-RPC over --window"),
        OptionSpec("since", value: "DURATION", help: "How much of each container's log to scan (docker logs --since: 90m, 1h, 2026-01-05T12:00:00Z)", defaultValue: "1h"),
        OptionSpec("window", value: "DURATION", help: "Time between the two samples of each node's blocks (0 skips the stall check)", defaultValue: "120s"),
        OptionSpec("role", value: "ROLE", help: "validator, prover or bot for every node (default: read from each log)"),
        OptionSpec("container", value: "NAME", help: "The node's container (default: aztec-node, else the first running aztecprotocol/aztec container)"),
        OptionSpec("rpc-port", value: "PORT", help: "Node RPC port on each server", defaultValue: "8080"),
        OptionSpec("reference", value: "URL", help: "A node's JSON-RPC URL, asked from this machine, to compare blocks with (default: the fleet's best node)", environment: "SANITY_REFERENCE"),
        OptionSpec("signals", value: "FILE", help: "CSV of log signals added to (or replacing by id) the built-in table"),
        OptionSpec("print-signals", help: "Print the signal table as CSV (with --signals merged) and exit"),
        OptionSpec("report", value: "FILE", help: "Write the JSON report here (default with servers: logs/sanity_report_YYYYMMDD_HHMMSS.json)"),
        OptionSpec("max-lag", value: "BLOCKS", help: "Blocks a node may trail the reference", defaultValue: "3"),
        OptionSpec("max-proven-lag", value: "BLOCKS", help: "Blocks the proven chain may trail the newest block", defaultValue: "96"),
        OptionSpec("crash-limit", value: "N", help: "Restarts or crash lines from which crashes are persistent", defaultValue: "3"),
    ])

/// What every mode of `sanity` reads from the options.
struct SanitySettings {
    var classifier: SanityClassifier
    var role: NodeRole?
    var window: Duration
    var json: Bool
    var report: URL?

    init(_ parsed: ParsedCommand) throws {
        var signals = LogSignalTable.aztec
        if let path = parsed.value("signals") {
            signals = signals.merging(try LogSignalTable.load(contentsOf: URL(fileURLWithPath: path, relativeTo: io.currentDirectory)))
        }
        let thresholds = SanityThresholds(maxLag: UInt64(try parsed.int("max-lag", range: 0...1_000_000) ?? 3),
                                          maxProvenLag: UInt64(try parsed.int("max-proven-lag", range: 0...1_000_000) ?? 96),
                                          crashLimit: try parsed.int("crash-limit", range: 1...1_000_000) ?? 3)
        classifier = SanityClassifier(signals: signals, thresholds: thresholds)
        if let text = parsed.value("role") {
            guard let role = NodeRole(rawValue: text.lowercased()) else {
                throw UsageError(message: "--role: '\(text)' is not a role; expected validator, prover or bot", commandPath: parsed.path)
            }
            self.role = role
        }
        let windowText = parsed.value("window") ?? "120s"
        guard let window = DurationText.parse(windowText), window <= .seconds(3600) else {
            throw UsageError(message: "--window: '\(windowText)' is not a duration of at most an hour (120s, 2m, 0)", commandPath: parsed.path)
        }
        self.window = window
        json = parsed.flag("json")
        report = parsed.value("report").map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory) }
    }
}

func sanity(_ parsed: ParsedCommand) async throws -> Int32 {
    let settings = try SanitySettings(parsed)
    if parsed.flag("print-signals") {
        io.writeOutput(settings.classifier.signals.csv)
        return ToolExitCode.success
    }
    if let log = parsed.value("log") {
        if let inventory = parsed.argument("INVENTORY") {
            throw UsageError(message: "--log scans a local log without SSH; give either --log or \(inventory), not both", commandPath: parsed.path)
        }
        return try await localSanity(parsed, log: log, settings: settings)
    }
    if parsed.value("node") != nil {
        throw UsageError(message: "--node goes with --log; with servers.csv each node is asked on its own server (--rpc-port)", commandPath: parsed.path)
    }
    guard parsed.argument("INVENTORY") != nil else {
        throw UsageError(message: "give servers.csv to check the fleet, or --log FILE (- for standard input) to scan a local log", commandPath: parsed.path)
    }
    return try await fleetSanity(parsed, settings: settings)
}

/// An http(s) URL given to `option`, or a usage error naming it (credentials masked).
func nodeURL(_ parsed: ParsedCommand, _ option: String) throws -> URL? {
    guard let text = parsed.value(option) else { return nil }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
        throw UsageError(message: "--\(option): '\(URLCredentials.masked(text))' is not an http(s) URL", commandPath: parsed.path)
    }
    return url
}

/// `--since` as docker logs takes it: a duration (90m, 1h30m) or a date (2026-01-05, 2026-01-05T12:00:00Z).
func sinceValue(_ parsed: ParsedCommand) throws -> String {
    let text = parsed.value("since") ?? "1h"
    let isDate = text.range(of: #"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$"#, options: .regularExpression) != nil
    guard isDate || (DurationText.parse(text) != nil && Int(text) == nil) else {
        throw UsageError(message: "--since: '\(text)' is neither a duration (90m, 1h) nor a date (2026-01-05T12:00:00Z)", commandPath: parsed.path)
    }
    return text
}

/// Checks every server of the inventory over SSH.
func fleetSanity(_ parsed: ParsedCommand, settings: SanitySettings) async throws -> Int32 {
    let (options, inventory, _) = try loadRun(parsed)
    let reference = try nodeURL(parsed, "reference")
    let since = try sinceValue(parsed)
    let container = parsed.value("container")
    if let container, container.isEmpty || container.hasPrefix("-") || container.contains(where: { $0.isWhitespace }) {
        throw UsageError(message: "--container: '\(container)' is not a container name", commandPath: parsed.path)
    }
    let rpcPort = try parsed.int("rpc-port", range: 1...65_535) ?? 8080
    let run = try session("sanity", options)
    run.runLog.addSecrets(inventory.secretValues)
    let transport = try OpenSSHTransport(configuration: options.sshConfiguration())
    let checker = SanityChecker(
        transport: transport, runLog: run.runLog,
        settings: SanityChecker.Settings(since: since, window: settings.window, container: container, rpcPort: rpcPort, role: settings.role,
                                         perHostTimeout: options.timeout, forks: options.forks),
        classifier: settings.classifier, reference: reference)
    let report = await checker.check(inventory.hosts)
    if options.controlPersist == .zero { await transport.close() }
    var settings = settings
    if settings.report == nil {
        let name = run.logFile.lastPathComponent.replacingOccurrences(of: "sanity_", with: "sanity_report_").replacingOccurrences(of: ".log", with: ".json")
        settings.report = run.logFile.deletingLastPathComponent().appendingPathComponent(name)
    }
    let code = try finishSanity(report, settings: settings, redact: run.runLog.redactor.redact)
    run.runLog.info("report: \(settings.report?.path ?? "")")
    io.writeError("log: \(run.logFile.path)\nreport: \(settings.report?.path ?? "")\n")
    return code
}

/// Scans a local file or standard input and classifies it as one node.
func localSanity(_ parsed: ParsedCommand, log: String, settings: SanitySettings) async throws -> Int32 {
    let name = log == "-" ? "stdin" : URL(fileURLWithPath: log).lastPathComponent
    let descriptor: Int32
    if log == "-" {
        descriptor = STDIN_FILENO
    } else {
        let path = URL(fileURLWithPath: log, relativeTo: io.currentDirectory).path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw LogReadError(source: log, reason: String(cString: strerror(errno))) }
    }
    defer { if descriptor != STDIN_FILENO { close(descriptor) } }
    let node = try nodeURL(parsed, "node")
    // The node's window runs while the log is read.
    async let chain = sampleNode(node, window: settings.window)
    let summary = try LogScanner.scan(fileDescriptor: descriptor, name: log, signals: settings.classifier.signals)
    var observation = NodeObservation(name: name, role: settings.role, logs: summary)
    observation.chain = await chain
    let report = settings.classifier.classify([observation], windowSeconds: node == nil ? 0 : settings.window.seconds, generated: Date())
    // A provider's URL may carry an API key: only its scheme, host and port are shown.
    let shown = node.map { ($0.absoluteString, URLCredentials.masked($0.absoluteString)) }
    return try finishSanity(report, settings: settings, redact: { text in
        shown.map { text.replacingOccurrences(of: $0.0, with: $0.1) } ?? text
    })
}

/// Both chain samples of the node at `url`, a window apart; `nil` without a URL.
func sampleNode(_ url: URL?, window: Duration) async -> ChainProgress? {
    guard let url else { return nil }
    let client = AztecNodeClient(url: url, options: ChainProgressProbe.clientOptions(timeout: .seconds(15)))
    return await ChainProgressProbe(window: window).sample(client)
}

/// Writes the report file when asked, prints the report and returns the exit code.
func finishSanity(_ report: SanityReport, settings: SanitySettings, redact: (String) -> String) throws -> Int32 {
    let encoder = JSONEncoder.pretty
    encoder.dateEncodingStrategy = .iso8601
    let json = redact(String(decoding: try encoder.encode(report), as: UTF8.self)) + "\n"
    if let url = settings.report { try AtomicFile.write(json, to: url) }
    io.writeOutput(settings.json ? json : report.text(redact: redact))
    return report.failed ? ToolExitCode.failure : ToolExitCode.success
}

/// `aztec-fleet connection-info`.
let connectionInfoSpec = CommandSpec(
    name: "connection-info",
    summary: "The runbook's network connection message (AZTEC_IMAGE, ETHEREUM_HOST, BOOT_NODE_URL) from kubectl get services output",
    discussion: "Run kubectl get services -n NAMESPACE and pass its output as a file or on standard input. ethereum-lb gives ETHEREUM_HOST (port 8545), boot-node-lb-tcp and boot-node-lb-udp give BOOT_NODE_URL (port 40400); names with a release prefix (NAME-ethereum-lb) count too. Exit codes: 0 the message was printed, 2 a service is missing or has no external IP yet.",
    options: [
        OptionSpec("kubectl-output", value: "FILE", help: "The saved output of kubectl get services (- or nothing: standard input)"),
        OptionSpec("image", value: "IMAGE", help: "AZTEC_IMAGE of the message", environment: "AZTEC_IMAGE", defaultValue: "aztecprotocol/aztec:latest"),
        OptionSpec("json", help: "Print machine-readable JSON"),
    ])

func connectionInfo(_ parsed: ParsedCommand) throws -> Int32 {
    let source = parsed.value("kubectl-output") ?? "-"
    let data: Data
    if source == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
    } else {
        let url = URL(fileURLWithPath: source, relativeTo: io.currentDirectory)
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LogReadError(source: source, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }
    let info = try NetworkConnectionInfo.parse(kubectlOutput: String(decoding: data, as: UTF8.self), source: source == "-" ? "stdin" : source,
                                               aztecImage: parsed.value("image") ?? "aztecprotocol/aztec:latest")
    if parsed.flag("json") {
        io.writeOutput(String(decoding: try JSONEncoder.pretty.encode(info), as: UTF8.self) + "\n")
    } else {
        io.writeOutput(info.message)
    }
    return ToolExitCode.success
}
