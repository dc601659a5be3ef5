import FleetKit
import Foundation

/// One run against a node's server, set up: the checked node file, the log (its file and
/// the console), the one multiplexed connection (the hosts run fail2ban) and the deployment
/// built on them. Whoever opens it closes it.
struct NodeRunSession {
    let settings: NodeRunSettings
    private(set) var config: NodeConfig
    let folder: URL
    let logFile: URL
    let runLog: RunLog
    let transport: any Transport
    private(set) var deployment: NodeDeployment

    /// Checks this machine (the SSH key, the ssh program), opens the log and creates the
    /// transport for the checked node file.
    ///
    /// - Throws: ``NodeRunSetupError`` for a problem on this machine, the error of a log
    ///   file or transport that cannot be created.
    init(_ settings: NodeRunSettings, config: NodeConfig, checkMode: Bool, resetChainData: Bool = false,
         grantMode: GrantMode = .printCommand) throws {
        let transport = try settings.makeTransport(config)
        let folder = settings.localFolder ?? NodeFiles.defaultFolder(nodeFile: settings.nodeFile, keyName: config.keyName)
        let logFile = try DeployLogFile.create(in: settings.logFolder, keyName: config.keyName, date: settings.clock.now())
        let fileSink = try FileLogSink(url: logFile, levels: LogLevel.fileLevels(verbose: settings.verbose), format: .timestampLevel)
        let runLog = RunLog(sinks: [fileSink] + settings.console.sinks(verbose: settings.verbose), clock: settings.clock)
        self.settings = settings
        self.config = config
        self.folder = folder
        self.logFile = logFile
        self.runLog = runLog
        self.transport = transport
        deployment = NodeDeployment(config: config, transport: transport, runLog: runLog, localFolder: folder, checkMode: checkMode,
                                    commandTimeout: settings.commandTimeout, clock: settings.clock, httpClient: settings.httpClient,
                                    waits: settings.waits, resetChainData: resetChainData, grantMode: grantMode,
                                    fixSyncCommand: settings.fixSyncCommand)
    }

    /// The original's start banner.
    func banner(_ title: String) {
        let rule = String(repeating: "=", count: 41)
        for line in [rule, title, "Started at: \(settings.clock.now())", "Config file: \(settings.nodeFileName)", "Log file: \(logFile.path)", rule] {
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

    /// Goes on with `profile` for node-config.json: the one phase 0 picked for the server's GPUs.
    mutating func use(_ profile: NodeProfile) {
        config.profile = profile
        deployment.config = config
    }

    /// Shows `question` on the console; only a typed `yes` proceeds.
    func confirms(_ question: String) -> Bool { settings.console.confirms(question) }

    /// Ends the run's connection.
    func close() async { await transport.close() }
}

extension NodeRunSettings {
    /// The run's transport for `config`'s server: ``transport`` when given, else one
    /// multiplexed OpenSSH connection with the run's known_hosts and SSH key.
    ///
    /// - Throws: ``NodeRunSetupError`` when the SSH key cannot be read or ssh is missing.
    func makeTransport(_ config: NodeConfig) throws -> any Transport {
        let resolve = { (path: String) in URL(fileURLWithPath: path, relativeTo: workingDirectory).standardizedFileURL }
        let identity = identityFile?.path ?? config.sshKey.map { resolve($0).path }
        if let identity, !FileManager.default.isReadableFile(atPath: identity) { throw NodeRunSetupError.unreadableKey(path: identity) }
        if let transport { return transport }
        if let problem = Preflight(sshPath: sshPath).localProblems(hosts: [], defaultIdentityFile: nil).first {
            throw NodeRunSetupError.localProblem(problem)
        }
        return try OpenSSHTransport(configuration: OpenSSHConfiguration(
            knownHostsFile: knownHostsFile, sshPath: sshPath, controlPersist: .seconds(600),
            defaultCommandTimeout: commandTimeout, defaultIdentityFile: identity))
    }
}

/// Something on this machine keeps a run from starting; nothing was changed.
public enum NodeRunSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The SSH key file (given, or the node file's `SSH_KEY`) cannot be read.
    case unreadableKey(path: String)
    /// The ssh program or another prerequisite of this machine is missing.
    case localProblem(String)

    /// The problem, in one sentence.
    public var description: String {
        switch self {
        case .unreadableKey(let path): "cannot read the SSH key file \(path)"
        case .localProblem(let problem): problem
        }
    }
}
