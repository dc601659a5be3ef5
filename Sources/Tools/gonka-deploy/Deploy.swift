import FleetKit
import Foundation
import GonkaKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--phase N` / `--from-phase N` as a selection.
func phaseSelection(_ parsed: ParsedCommand) throws(UsageError) -> DeployPhaseSelection {
    let only = try parsed.int("phase", range: 1...8)
    let from = try parsed.int("from-phase", range: 1...8)
    if only != nil, from != nil { throw UsageError(message: "--phase and --from-phase exclude each other", commandPath: parsed.path) }
    if let only, let phase = DeployPhase(rawValue: only) { return .only(phase) }
    if let from, let phase = DeployPhase(rawValue: from) { return .from(phase) }
    return .all
}

/// Console lines as the original prints them: `[LEVEL] message`, ERROR on standard error, the rest on standard output.
func consoleSinks(verbose: Bool, io: ToolIO) -> [any LogSink] {
    let levels = ConsoleLogSink.defaultLevels(verbose: verbose)
    let colored = shouldColorConsole(isTerminal: isatty(STDOUT_FILENO) == 1, environment: io.environment)
    let out = ConsoleLogSink(levels: levels.subtracting([.error]), colored: colored, format: .level) { io.writeOutput($0 + "\n") }
    let err = ConsoleLogSink(levels: [.error], colored: colored, format: .level) { io.writeError($0 + "\n") }
    return [out, err]
}

/// A path from the command line or the node file, relative to the working directory.
func resolvedURL(_ path: String, _ io: ToolIO) -> URL {
    URL(fileURLWithPath: path, relativeTo: io.currentDirectory).standardizedFileURL
}

/// The timings of `--settle`, `--sync-checks`, `--sync-check-interval` and `--model-wait`.
func deployWaits(_ parsed: ParsedCommand) throws -> DeployWaits {
    let original = DeployWaits.original
    let settle = try parsed.int("settle", range: 0...600).map { Duration.seconds($0) } ?? original.settle
    let checks = try parsed.int("sync-checks", range: 0...10_000) ?? original.syncChecks
    let interval = try parsed.int("sync-check-interval", range: 1...3600).map { Duration.seconds($0) } ?? original.syncCheckInterval
    let longest = Int(DeployWaits.longestWait.components.seconds)
    let modelWait = try parsed.int("model-wait", range: 0...longest).map { Duration.seconds($0) } ?? original.modelWait
    if interval * checks > DeployWaits.longestWait {
        throw UsageError(message: "--sync-checks × --sync-check-interval must stay within \(longest) seconds (a phase ends within 6 hours)", commandPath: parsed.path)
    }
    return try DeployWaits(settle: settle, syncCheckInterval: interval, syncChecks: checks,
                           modelCheckInterval: min(original.modelCheckInterval, max(modelWait, .seconds(1))), modelWait: modelWait)
}

/// Everything a run against the node's server needs: the checked node file, the log (file
/// and console), the one multiplexed connection and the deployment built on them.
struct DeploySession {
    let nodeFile: String
    let config: NodeConfig
    let folder: URL
    let logFile: URL
    let runLog: RunLog
    let transport: OpenSSHTransport
    let deployment: NodeDeployment

    /// Reads and checks the node file.
    static func nodeConfig(_ parsed: ParsedCommand, io: ToolIO) throws -> (path: String, config: NodeConfig) {
        guard let nodeFile = parsed.argument("node-file") else {
            throw UsageError(message: "missing argument <node-file>", commandPath: parsed.path)
        }
        return (nodeFile, try NodeConfig.load(contentsOf: resolvedURL(nodeFile, io), path: nodeFile, environment: io.environment))
    }

    /// Checks the options, opens the log and sets up the transport for the checked node file.
    init(_ parsed: ParsedCommand, io: ToolIO, nodeFile: String, config: NodeConfig, checkMode: Bool, resetChainData: Bool = false,
         grantMode: GrantMode = .printCommand) throws {
        let localURL = { (path: String) in resolvedURL(path, io) }
        let nodeURL = localURL(nodeFile)
        let timeout = Duration.seconds(try parsed.int("timeout", range: 1...86_400) ?? 600)
        let waits = try deployWaits(parsed)
        let identity = parsed.value("identity").map { localURL($0).path } ?? config.sshKey.map { localURL($0).path }
        if let identity, !FileManager.default.isReadableFile(atPath: identity) {
            throw UsageError(message: "cannot read the SSH key file \(identity)", commandPath: parsed.path)
        }
        if let problem = Preflight(sshPath: "/usr/bin/ssh").localProblems(hosts: [], defaultIdentityFile: nil).first {
            throw ToolFailure(problem)
        }
        let folder = parsed.value("output").map(localURL) ?? NodeFiles.defaultFolder(nodeFile: nodeURL, keyName: config.keyName)
        let logFile = try DeployLogFile.create(in: localURL(parsed.value("log-dir") ?? "logs"), keyName: config.keyName, date: Date())
        let verbose = parsed.flag("verbose")
        let fileSink = try FileLogSink(url: logFile, levels: LogLevel.fileLevels(verbose: verbose), format: .timestampLevel)
        let runLog = RunLog(sinks: [fileSink] + consoleSinks(verbose: verbose, io: io))
        let home = URL(fileURLWithPath: io.environment["HOME"] ?? NSHomeDirectory())
        let knownHosts = parsed.value("known-hosts").map(localURL) ?? OpenSSHConfiguration.defaultKnownHostsFile(homeDirectory: home)
        let transport = try OpenSSHTransport(configuration: OpenSSHConfiguration(
            knownHostsFile: knownHosts, controlPersist: .seconds(600), defaultCommandTimeout: timeout, defaultIdentityFile: identity))
        self.nodeFile = nodeFile
        self.config = config
        self.folder = folder
        self.logFile = logFile
        self.runLog = runLog
        self.transport = transport
        self.deployment = NodeDeployment(config: config, transport: transport, runLog: runLog, localFolder: folder, checkMode: checkMode,
                                         commandTimeout: timeout, waits: waits, resetChainData: resetChainData, grantMode: grantMode,
                                         fixSyncCommand: "gonka-deploy fix-sync " + ShellQuote.quote(nodeFile))
    }

    /// The original's start banner.
    func banner(_ title: String) {
        let rule = String(repeating: "=", count: 41)
        for line in [rule, title, "Started at: \(Date())", "Config file: \(nodeFile)", "Log file: \(logFile.path)", rule] {
            runLog.info(line)
        }
    }

    /// Opens the connection (phase 0's test); `false` after logging why it failed.
    func connect() async -> Bool {
        do {
            try await deployment.connect()
            return true
        } catch {
            runLog.error(error.message)
            runLog.error("Deployment failed. Check log: \(logFile.path)")
            return false
        }
    }

    /// Asks `question` on the terminal; only `yes` proceeds.
    func ask(_ question: String, io: ToolIO) -> Bool {
        io.writeOutput(question)
        guard let answer = readLine(strippingNewline: true) else { return false }
        return DeployConfirmation.accepts(answer)
    }
}

/// A failure found before anything started, printed as `[ERROR] …` with exit 1.
struct ToolFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// How `--reset-chain-data` gets confirmed: `--yes`, or `yes` typed at its own question;
/// `AUTO_CONFIRM` does not count, since the data cannot be brought back.
func resetConfirmation(_ parsed: ParsedCommand, checkMode: Bool) throws -> DeployConfirmation? {
    guard parsed.flag("reset-chain-data"), !checkMode else { return nil }
    if parsed.flag("yes") { return .automatic(reason: "--yes") }
    guard isatty(STDIN_FILENO) == 1 else {
        throw UsageError(message: "--reset-chain-data deletes the node's chain data and needs confirming: pass --yes as well, or run it on a terminal", commandPath: parsed.path)
    }
    return .ask
}

/// `--grant`: the local `inferenced` (found by `--inferenced` or on the PATH) and `COLD_KEY_NAME` are checked before anything starts.
func grantMode(_ parsed: ParsedCommand, io: ToolIO, coldKeyName: String?) throws -> GrantMode {
    guard parsed.flag("grant") else { return .printCommand }
    guard coldKeyName != nil else {
        throw UsageError(message: "--grant needs COLD_KEY_NAME in the node file: the name of the cold key in this machine's inferenced keyring", commandPath: parsed.path)
    }
    let candidates = parsed.value("inferenced").map { [resolvedURL($0, io).path] }
        ?? (io.environment["PATH"] ?? "").split(separator: ":").map { String($0) + "/inferenced" }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw UsageError(message: "--grant needs inferenced on this machine: not found \(parsed.value("inferenced").map { "at \($0)" } ?? "on the PATH"); pass --inferenced PATH", commandPath: parsed.path)
    }
    return .run(inferenced: found, runner: TerminalGrantRunner())
}

/// `gonka-deploy deploy <node-file>`: phase 0, then the selected phases, then the final report.
func deploy(_ parsed: ParsedCommand, io: ToolIO) async throws -> Int32 {
    let selection = try phaseSelection(parsed)
    let checkMode = parsed.flag("check")
    let (nodeFile, config) = try DeploySession.nodeConfig(parsed, io: io)
    let confirmation = try DeployConfirmation.decide(checkMode: checkMode, autoConfirm: config.autoConfirm, yesFlag: parsed.flag("yes"),
                                                     inputIsTerminal: isatty(STDIN_FILENO) == 1)
    let reset = try resetConfirmation(parsed, checkMode: checkMode)
    let grant = try grantMode(parsed, io: io, coldKeyName: config.coldKeyName)
    let session: DeploySession
    do {
        session = try DeploySession(parsed, io: io, nodeFile: nodeFile, config: config, checkMode: checkMode, resetChainData: reset != nil,
                                    grantMode: grant)
    } catch let failure as ToolFailure {
        io.writeError("[ERROR] \(failure.description)\n")
        return ToolExitCode.failure
    }
    session.banner("Gonka Node Deployment Script")
    if checkMode { session.runLog.info("--check: only checks run; nothing on the server or here is changed") }
    session.deployment.section("PHASE 0: VALIDATION")
    session.runLog.log(.ok, "All required parameters validated")
    let code = await proceed(session, confirmation: confirmation, reset: reset, selection: selection, io: io)
    await session.transport.close()
    session.runLog.info("Deployment finished at: \(Date())")
    return code
}

/// Everything after the log is open: connection, display, confirmations, phases, report.
func proceed(_ session: DeploySession, confirmation: DeployConfirmation, reset: DeployConfirmation?, selection: DeployPhaseSelection,
             io: ToolIO) async -> Int32 {
    let runLog = session.runLog, deployment = session.deployment
    guard await session.connect() else { return ToolExitCode.failure }
    let display = DeployParameterDisplay.lines(session.config, configPath: session.nodeFile, logFile: session.logFile.path, outputFolder: session.folder.path)
    io.writeOutput(display.joined(separator: "\n") + "\n")
    switch confirmation {
    case .notNeeded:
        break
    case .automatic(let reason):
        io.writeOutput("Please verify all parameters above.\n\(reason), skipping confirmation prompt\n")
        runLog.info("Auto-confirmed deployment (\(reason)). Starting...")
    case .ask:
        guard session.ask("Please verify all parameters above.\n" + DeployConfirmation.prompt, io: io) else {
            runLog.info("Deployment cancelled by user")
            return ToolExitCode.success
        }
        runLog.info("User confirmed deployment. Starting...")
    }
    if reset == .ask {
        let data = BlockchainConfigurationPhase.dataPath(session.config)
        guard session.ask("--reset-chain-data deletes \(data) on \(deployment.endpoint). Delete the chain data? (yes/no): ", io: io) else {
            runLog.info("Chain data reset not confirmed; nothing was done")
            return ToolExitCode.success
        }
    }
    if reset != nil, selection.phases.contains(.blockchainConfiguration) == false {
        runLog.warn("--reset-chain-data only acts in phase 5, which this run does not include")
    }
    let report = await deployment.run(selection)
    if let failure = report.failure {
        runLog.error("Deployment failed: \(failure.description). Check log: \(session.logFile.path)")
        return ToolExitCode.failure
    }
    if deployment.checkMode {
        runLog.log(.ok, "Check finished: \(Plural.count(report.changedSteps, "step")) would change")
        return ToolExitCode.success
    }
    if report.completed.last == .grant {
        deployment.section("DEPLOYMENT COMPLETED SUCCESSFULLY")
        let warm = (try? String(contentsOf: session.folder.appendingPathComponent("warm_address.txt"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let summary = DeploymentSummary.lines(session.config, warmAddress: warm, localFolder: session.folder, logFile: session.logFile)
        io.writeOutput(summary.joined(separator: "\n") + "\n")
    }
    if !report.warnings.isEmpty {
        runLog.warn("\(Plural.count(report.warnings.count, "warning")) in this run:")
        for warning in report.warnings { runLog.warn("  \(warning)") }
    }
    runLog.log(.success, selection == .all ? "All phases completed successfully!" : "All selected phases completed successfully!")
    return ToolExitCode.success
}
