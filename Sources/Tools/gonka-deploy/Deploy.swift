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

/// `gonka-deploy deploy <node-file>`: phase 0, then the selected phases.
func deploy(_ parsed: ParsedCommand, io: ToolIO) async throws -> Int32 {
    let localURL = { (path: String) in resolvedURL(path, io) }
    guard let nodeFile = parsed.argument("node-file") else {
        throw UsageError(message: "missing argument <node-file>", commandPath: parsed.path)
    }
    let selection = try phaseSelection(parsed)
    let checkMode = parsed.flag("check")
    let nodeURL = localURL(nodeFile)
    let config = try NodeConfig.load(contentsOf: nodeURL, path: nodeFile, environment: io.environment)
    let confirmation = try DeployConfirmation.decide(checkMode: checkMode, autoConfirm: config.autoConfirm, yesFlag: parsed.flag("yes"),
                                                     inputIsTerminal: isatty(STDIN_FILENO) == 1)
    let timeout = Duration.seconds(try parsed.int("timeout", range: 1...86_400) ?? 600)
    let identity = parsed.value("identity").map { localURL($0).path } ?? config.sshKey.map { localURL($0).path }
    if let identity, !FileManager.default.isReadableFile(atPath: identity) {
        throw UsageError(message: "cannot read the SSH key file \(identity)", commandPath: parsed.path)
    }
    let preflight = Preflight(sshPath: "/usr/bin/ssh")
    if let problem = preflight.localProblems(hosts: [], defaultIdentityFile: nil).first {
        io.writeError("[ERROR] \(problem)\n")
        return ToolExitCode.failure
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
    let deployment = NodeDeployment(config: config, transport: transport, runLog: runLog, localFolder: folder, checkMode: checkMode,
                                    commandTimeout: timeout)
    let banner = String(repeating: "=", count: 41)
    for line in [banner, "Gonka Node Deployment Script", "Started at: \(Date())", "Config file: \(nodeFile)", "Log file: \(logFile.path)", banner] {
        runLog.info(line)
    }
    if checkMode { runLog.info("--check: only checks run; nothing on the server or here is changed") }
    deployment.section("PHASE 0: VALIDATION")
    runLog.log(.ok, "All required parameters validated")
    let code = await proceed(deployment, confirmation: confirmation, selection: selection, nodeFile: nodeFile, logFile: logFile,
                             folder: folder, io: io)
    await transport.close()
    runLog.info("Deployment finished at: \(Date())")
    return code
}

/// Everything after the log is open: connection, display, confirmation, phases.
func proceed(_ deployment: NodeDeployment, confirmation: DeployConfirmation, selection: DeployPhaseSelection,
             nodeFile: String, logFile: URL, folder: URL, io: ToolIO) async -> Int32 {
    let runLog = deployment.runLog
    do {
        try await deployment.connect()
    } catch {
        runLog.error(error.message)
        runLog.error("Deployment failed. Check log: \(logFile.path)")
        return ToolExitCode.failure
    }
    let display = DeployParameterDisplay.lines(deployment.config, configPath: nodeFile, logFile: logFile.path, outputFolder: folder.path)
    io.writeOutput(display.joined(separator: "\n") + "\n")
    switch confirmation {
    case .notNeeded:
        break
    case .automatic(let reason):
        io.writeOutput("Please verify all parameters above.\n\(reason), skipping confirmation prompt\n")
        runLog.info("Auto-confirmed deployment (\(reason)). Starting...")
    case .ask:
        io.writeOutput("Please verify all parameters above.\n" + DeployConfirmation.prompt)
        guard let answer = readLine(strippingNewline: true), DeployConfirmation.accepts(answer) else {
            runLog.info("Deployment cancelled by user")
            return ToolExitCode.success
        }
        runLog.info("User confirmed deployment. Starting...")
    }
    let report = await deployment.run(selection)
    if let failure = report.failure {
        runLog.error("Deployment failed: \(failure.description). Check log: \(logFile.path)")
        return ToolExitCode.failure
    }
    if !report.notBuilt.isEmpty {
        let numbers = report.notBuilt.map { String($0.rawValue) }.joined(separator: ", ")
        runLog.warn("Deployment incomplete: phase(s) \(numbers) are not (fully) built in this version; the node is not deployed yet")
        return ToolExitCode.failure
    }
    runLog.log(.ok, deployment.checkMode ? "Check finished: \(Plural.count(report.changedSteps, "step")) would change" : "All selected phases completed successfully!")
    return ToolExitCode.success
}
