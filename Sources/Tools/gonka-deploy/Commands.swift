import FleetKit
import Foundation
import GonkaKit

/// A path from the command line, relative to the working directory.
func localURL(_ path: String) -> URL { URL(fileURLWithPath: path, relativeTo: io.currentDirectory).standardizedFileURL }

/// The `<node-file>` argument.
func nodeFile(_ parsed: ParsedCommand) throws -> String {
    try parsed.argument("node-file") ?? { throw UsageError(message: "missing argument <node-file>", commandPath: parsed.path) }()
}

func render(_ parsed: ParsedCommand) throws -> Int32 {
    let file = try nodeFile(parsed)
    let report = try NodeFilesRendering(nodeFile: localURL(file), nodeFileName: file, environment: io.environment,
                                        outputFolder: parsed.value("output").map(localURL)).run()
    if parsed.flag("json") { io.writeOutput(String(decoding: try report.jsonData(), as: UTF8.self) + "\n"); return ToolExitCode.success }
    for note in report.notes { io.writeError("gonka-deploy: note: \(note)\n") }
    io.writeOutput(report.textLines.joined(separator: "\n") + "\n")
    return ToolExitCode.success
}

/// The connection, log, timing and console options of the commands that reach the server, for `file` (default: the `<node-file>`).
func settings(_ parsed: ParsedCommand, file: String? = nil) throws -> NodeRunSettings {
    let file = try file ?? nodeFile(parsed)
    let seconds = { (name: String, range: ClosedRange<Int>) throws in try parsed.int(name, range: range).map { Duration.seconds($0) } }
    let waits = try DeployWaits.original(settle: try seconds("settle", 0...600), syncCheckInterval: try seconds("sync-check-interval", 1...3600),
                                         syncChecks: try parsed.int("sync-checks", range: 0...10_000),
                                         modelWait: try seconds("model-wait", 0...Int(DeployWaits.longestWait.components.seconds)))
    let ask: (@Sendable () -> String?)? = isatty(STDIN_FILENO) == 1 ? { @Sendable in readLine(strippingNewline: true) } : nil
    let console = OperatorConsole(writeOutput: io.writeOutput, writeError: io.writeError, readAnswer: ask,
                                  colored: shouldColorConsole(isTerminal: isatty(STDOUT_FILENO) == 1, environment: io.environment))
    let home = URL(fileURLWithPath: io.environment["HOME"] ?? NSHomeDirectory())
    return NodeRunSettings(
        nodeFile: localURL(file), nodeFileName: file, environment: io.environment, workingDirectory: io.currentDirectory,
        localFolder: parsed.value("output").map(localURL), logFolder: localURL(parsed.value("log-dir") ?? "logs"),
        identityFile: parsed.value("identity").map(localURL),
        knownHostsFile: parsed.value("known-hosts").map(localURL) ?? OpenSSHConfiguration.defaultKnownHostsFile(homeDirectory: home),
        commandTimeout: try seconds("timeout", 1...86_400) ?? .seconds(600), waits: waits, verbose: parsed.flag("verbose"), console: console,
        fixSyncCommand: "gonka-deploy fix-sync " + ShellQuote.quote(file), backupCommand: "gonka-deploy backup " + ShellQuote.quote(file))
}

func deploy(_ parsed: ParsedCommand) async throws -> Int32 {
    let only = try parsed.int("phase", range: 1...8).flatMap(DeployPhase.init), from = try parsed.int("from-phase", range: 1...8).flatMap(DeployPhase.init)
    try parsed.exclusive("phase", "from-phase")
    let paths = parsed.argumentValues("node-file")
    let labels = DeployChoiceLabels(checkMode: "--check", advanceConfirmation: "--yes", chainDataReset: "--reset-chain-data", gpuCheckOverride: "--ignore-gpu-check")
    if paths.count > 1 || paths.contains(where: { (try? localURL($0).resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }) {
        for single in ["output", "grant"] where parsed.value(single) != nil || parsed.flag(single) {
            throw UsageError(message: "--\(single) applies to one node; deploy each node on its own to use it", commandPath: parsed.path)
        }
        let files = try NodeFileList.expand(paths, workingDirectory: io.currentDirectory)
        let fleet = NodeFleetDeployRun(nodes: try files.map { try settings(parsed, file: $0.name) }, console: try settings(parsed).console,
                                       selection: only.map { .only($0) } ?? from.map { .from($0) } ?? .all, checkMode: parsed.flag("check"),
                                       confirmedInAdvance: parsed.flag("yes"), resetChainData: parsed.flag("reset-chain-data"),
                                       labels: labels, parallelism: try parsed.int("parallel", range: 1...64) ?? 4, ignoreGPUCheck: parsed.flag("ignore-gpu-check"))
        return try await exitCode(parsed) { try await fleet.run().failed ? ToolExitCode.failure : ToolExitCode.success }
    }
    let searchPath = (io.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    let run = DeployRun(settings: try settings(parsed), selection: only.map { .only($0) } ?? from.map { .from($0) } ?? .all,
                        checkMode: parsed.flag("check"), confirmedInAdvance: parsed.flag("yes"), resetChainData: parsed.flag("reset-chain-data"),
                        grant: parsed.flag("grant") ? .runHere(inferenced: parsed.value("inferenced").map { localURL($0).path }, searchPath: searchPath) : .printCommand,
                        labels: labels, ignoreGPUCheck: parsed.flag("ignore-gpu-check"))
    return try await exitCode(parsed) { try await run.run().failed ? ToolExitCode.failure : ToolExitCode.success }
}

func fixSync(_ parsed: ParsedCommand) async throws -> Int32 {
    let run = StuckSyncFixRun(settings: try settings(parsed), confirmedInAdvance: parsed.flag("yes"), peerFilterScript: parsed.value("peer-filter-script"))
    return try await exitCode(parsed) { try await run.run().failed ? ToolExitCode.failure : ToolExitCode.success }
}

func status(_ parsed: ParsedCommand) async throws -> Int32 {
    let files = try NodeFileList.expand(parsed.argumentValues("node-file"), workingDirectory: io.currentDirectory)
    let report = try await NodeStatusRun(nodes: try files.map { try settings(parsed, file: $0.name) }, parallelism: try parsed.int("parallel", range: 1...64) ?? 8).run()
    if let file = parsed.value("prometheus") { try NodeStatusMetrics.write(report, to: localURL(file), now: Date()) }
    io.writeOutput(parsed.flag("json") ? String(decoding: try report.jsonData(), as: UTF8.self) + "\n" : report.textLines.joined(separator: "\n") + "\n")
    return report.needsAttention ? ToolExitCode.failure : ToolExitCode.success
}

func upgrade(_ parsed: ParsedCommand) async throws -> Int32 {
    let usage = { (message: String) in UsageError(message: message, commandPath: parsed.path) }
    guard let text = parsed.value("tag") else { throw usage("missing --tag TAG: the release tag to upgrade to, e.g. --tag v0.2.6") }
    guard let tag = ReleaseTag(text) else { throw usage("--tag: \(TerminalText.escaped(text)) is not a tag name (letters, digits and . _ - + /)") }
    guard let batch = BatchSize(parsing: parsed.value("batch-size") ?? "1") else { throw usage("--batch-size: a number of nodes or a percentage, e.g. 1 or 25%") }
    let seconds = { (name: String) throws in Duration.seconds(try parsed.int(name, range: 1...86_400) ?? 1) }
    let files = try NodeFileList.expand(parsed.argumentValues("node-file"), workingDirectory: io.currentDirectory)
    let nodes = try files.map { try settings(parsed, file: $0.name) }
    let json = parsed.flag("json")
    let console = json ? OperatorConsole(writeOutput: io.writeError, writeError: io.writeError, readAnswer: nil) : nodes.first?.console ?? .silent
    let policy = RolloutPolicy(batchSize: batch, gateTimeout: try seconds("gate-timeout"), gateInterval: try seconds("gate-interval"))
    let report = try await NodeUpgradeRun(nodes: nodes, tag: tag, checkMode: parsed.flag("check"), rollout: policy, console: console).run()
    io.writeOutput(json ? String(decoding: try report.jsonData(), as: UTF8.self) + "\n" : report.textLines.joined(separator: "\n") + "\n")
    return report.succeeded ? ToolExitCode.success : ToolExitCode.failure
}

/// A refusal printed as `gonka-deploy: …` with exit 2.
struct Refusal: InputError { let description: String }

/// The exit code of a run; the library's refusals in the tool's words, naming its flags.
func exitCode(_ parsed: ParsedCommand, _ body: () async throws -> Int32) async throws -> Int32 {
    let usage = { (message: String) in UsageError(message: message, commandPath: parsed.path) }
    do {
        return try await body()
    } catch let error as NodeRunSetupError {
        guard case .localProblem = error else { throw usage(error.description) }
        io.writeError("[ERROR] \(error)\n")
        return ToolExitCode.failure
    } catch let error as DeployConfirmationError {
        switch error.subject {
        case .deployment: throw Refusal(description: "standard input is not a terminal, so the deployment cannot be confirmed; set AUTO_CONFIRM=yes (node file or environment) or pass --yes to deploy without the prompt")
        case .chainDataReset: throw usage("--reset-chain-data deletes the node's chain data and needs confirming: pass --yes as well, or run it on a terminal")
        case .stuckSyncFix: throw usage("standard input is not a terminal, so the fix cannot be confirmed; pass --yes")
        }
    } catch GrantSetupError.coldKeyNameMissing {
        throw usage("--grant needs COLD_KEY_NAME in the node file: the name of the cold key in this machine's inferenced keyring")
    } catch GrantSetupError.inferencedNotFound {
        throw usage("--grant needs inferenced on this machine: not found \(parsed.value("inferenced").map { "at \($0)" } ?? "on the PATH"); pass --inferenced PATH")
    }
}
