import FleetKit
import Foundation

/// One node's deployment over one SSH connection: phase 0's connection test, then the
/// selected phases in order, each a FleetKit ``Stage`` whose steps go CHECK → SKIP or
/// EXEC → OK. The first failing step stops the run. The executable owns the log, the
/// prompt and the transport; this type never prints or reads the terminal.
public struct NodeDeployment: Sendable {
    /// The checked node file.
    public var config: NodeConfig
    /// How commands reach the server: one multiplexed OpenSSH connection for the whole run
    /// (the hosts run fail2ban).
    public var transport: any Transport
    /// Where progress goes; the keyring password is registered as a secret on creation.
    public var runLog: RunLog
    /// The node's local folder (`nodes/<KEY_NAME>/`) for the files a run keeps, such as `volume.txt`.
    public var localFolder: URL
    /// Check mode: run the checks only and report what would change.
    public var checkMode: Bool
    /// Limit of one remote command.
    public var commandTimeout: Duration
    /// Limit of one phase, from its first command to its last.
    public var phaseTimeout: Duration
    /// Time source for the runner.
    public var clock: any FleetClock
    /// How the seed API and chain RPC are asked from this machine, as the original's `curl` calls.
    public var httpClient: any HTTPTransport
    /// The pauses and polling loops of phases 5 and 6.
    public var waits: DeployWaits
    /// Phase 5 removes the chain data first (a chain-data reset). The caller has had it confirmed.
    public var resetChainData: Bool
    /// Phase 8: print the grant command, or run it here.
    public var grantMode: GrantMode
    /// How the operator runs the stuck-sync fix (``StuckSyncFix``), named in a stuck state
    /// sync's warning: a tool passes its own command line; `nil` names the fix itself.
    public var fixSyncCommand: String?

    /// Creates the deployment and registers the keyring password with the log's redactor.
    public init(config: NodeConfig, transport: any Transport, runLog: RunLog, localFolder: URL, checkMode: Bool = false,
                commandTimeout: Duration = .seconds(600), phaseTimeout: Duration = .seconds(6 * 3600), clock: any FleetClock = SystemClock(),
                httpClient: any HTTPTransport = URLSessionHTTPTransport(), waits: DeployWaits = .original,
                resetChainData: Bool = false, grantMode: GrantMode = .printCommand, fixSyncCommand: String? = nil) {
        self.waits = waits
        self.resetChainData = resetChainData
        self.grantMode = grantMode
        self.fixSyncCommand = fixSyncCommand
        self.config = config
        self.transport = transport
        self.runLog = runLog
        self.localFolder = localFolder
        self.checkMode = checkMode
        self.commandTimeout = commandTimeout
        self.phaseTimeout = phaseTimeout
        self.clock = clock
        self.httpClient = httpClient
        runLog.addSecrets([config.keyringPassword.revealed])
    }

    /// The server as FleetKit addresses it: `SSH_USER@SERVER_IP`, `SSH_PORT`, `SSH_KEY`.
    public var host: RemoteHost {
        RemoteHost(name: config.keyName, address: config.serverAddress.text, user: config.sshUser, port: config.sshPort,
                   identityFile: config.sshKey)
    }

    /// `SSH_USER@SERVER_IP`, as the original names the server.
    public var endpoint: String { "\(config.sshUser)@\(config.serverAddress.urlHost)" }

    /// Phase 0's connection test: opens the run's connection and runs `echo 'SSH OK'` through it.
    public func connect() async throws(NodeDeploymentError) {
        runLog.log(.check, "Establishing SSH connection to \(endpoint)")
        let result: CommandResult
        do {
            result = try await transport.run(RemoteCommand("echo 'SSH OK'", timeout: .seconds(60)), on: host)
        } catch {
            throw NodeDeploymentError(phase: nil, message: "Cannot establish SSH connection to \(endpoint): \(error.message)")
        }
        guard result.succeeded, result.standardOutput.contains("SSH OK") else {
            throw NodeDeploymentError(phase: nil, message: "SSH connection created but connection test failed (\(result.summary))")
        }
        runLog.log(.ok, "SSH connection established and verified")
    }

    /// Phase 0's GPU reading: ``ServerGPUs/command`` on the server, read as ``ServerGPUs/parse(status:output:errorOutput:)``
    /// does; a command that cannot be run or does not answer within a minute reads as unreadable.
    public func readGPUs() async -> ServerGPUs {
        let result: CommandResult
        do {
            result = try await transport.run(RemoteCommand(ServerGPUs.command, timeout: .seconds(60)), on: host)
        } catch {
            return .unreadable("nvidia-smi could not be run: \(error.message)")
        }
        if result.timedOut { return .unreadable("nvidia-smi did not answer within a minute") }
        return ServerGPUs.parse(status: result.exitStatus, output: result.standardOutput, errorOutput: result.standardError)
    }

    /// The steps of `phase`.
    public func playbook(for phase: DeployPhase) -> Playbook {
        switch phase {
        case .serverPreparation: ServerPreparationPhase.playbook(config, localFolder: localFolder)
        case .gonkaAndModels: GonkaAndModelsPhase.playbook(config)
        case .configuration: ConfigurationPhase.playbook(config, localFolder: localFolder)
        case .basicServices: BasicServicesPhase.playbook(config, localFolder: localFolder, seedAPI: seedAPI, checkMode: checkMode)
        case .blockchainConfiguration:
            BlockchainConfigurationPhase.playbook(config, seedAPI: seedAPI, waits: waits, checkMode: checkMode, resetChainData: resetChainData,
                                                  fixSyncCommand: fixSyncCommand)
        case .finalLaunch: FinalLaunchPhase.playbook(config, waits: waits, checkMode: checkMode)
        case .verification: VerificationPhase.playbook(config, localFolder: localFolder, seedAPI: seedAPI, checkMode: checkMode)
        case .grant: GrantPhase.playbook(config, localFolder: localFolder, mode: grantMode, checkMode: checkMode)
        }
    }

    /// The stuck-sync fix's steps (``StuckSyncFix``); `peerFilterScript` is a path on the server, `nil` for none.
    public func fixSyncPlaybook(peerFilterScript: String?) -> Playbook {
        StuckSyncFix.playbook(config, seedAPI: seedAPI, waits: waits, peerFilterScript: peerFilterScript, fixSyncCommand: fixSyncCommand)
    }

    /// The seed node's API at `SEED_API_URL`, asked through ``httpClient``.
    public var seedAPI: SeedAPI { SeedAPI(baseURL: config.seedAPIURL, client: httpClient) }

    /// Runs the selected phases in order and stops at the first failure. In check mode it
    /// also stops after the first phase that would change something: later phases read what
    /// that phase would create (the checkout, config.env, running containers).
    public func run(_ selection: DeployPhaseSelection) async -> NodeDeploymentReport {
        var report = NodeDeploymentReport()
        let options: RunOptions
        do {
            options = try RunOptions(forks: 1, checkMode: checkMode, defaultTimeout: commandTimeout)
        } catch {
            report.failure = NodeDeploymentError(phase: nil, message: error.description)
            return report
        }
        for phase in selection.phases {
            section(phase.title)
            let staged = await StagedRun(transport: transport, runLog: runLog, options: options, stageTimeout: phaseTimeout, clock: clock)
                .run([Stage(phase.title, playbook: playbook(for: phase))], on: [host])
            let outcome = staged.lastReport(of: host.name)
            guard staged.succeeded, let outcome else {
                let message = outcome?.message ?? "the phase did not finish"
                runLog.error("Phase \(phase.rawValue) failed: \(message)")
                report.failure = NodeDeploymentError(phase: phase, message: message)
                return report
            }
            let counts = outcome.counts
            report.changedSteps += counts.changed
            report.warnings += outcome.steps.filter { $0.outcome == .ok }.compactMap(\.message)
            report.completed.append(phase)
            let summary = checkMode
                ? "\(Plural.count(counts.changed, "step")) would change, \(counts.ok) already done"
                : "\(Plural.count(counts.changed, "step")) done, \(counts.ok) already done"
            runLog.log(.ok, "Phase \(phase.rawValue) \(checkMode ? "checked" : "completed"): \(summary)")
            if checkMode, counts.changed > 0, let next = selection.phases.first(where: { $0 > phase }) {
                runLog.info("Phase \(next.rawValue) and later build on what phase \(phase.rawValue) would change, so they are not checked")
                break
            }
        }
        return report
    }

    /// The original's section header: a rule of 40 `=`, the title, the rule.
    public func section(_ title: String) {
        let rule = String(repeating: "=", count: 40)
        runLog.info(rule)
        runLog.info(title)
        runLog.info(rule)
    }
}

/// What a deployment run did.
public struct NodeDeploymentReport: Sendable {
    /// Phases that ran to the end, in order.
    public var completed: [DeployPhase] = []
    /// Steps that changed something (or would, in check mode).
    public var changedSteps = 0
    /// Why the run stopped, when a phase failed.
    public var failure: NodeDeploymentError?

    /// Creates an empty report.
    public init() {}

    /// What steps warned about, in order (never fatal: state sync still running, a verification check that did not pass…).
    public var warnings: [String] = []

    /// Whether every selected phase ran and passed.
    public var isComplete: Bool { failure == nil }
}

/// A deployment that stopped: the phase (none for phase 0) and what went wrong.
public struct NodeDeploymentError: Error, Sendable, CustomStringConvertible {
    /// The phase that failed; `nil` for phase 0 (validation, connection).
    public var phase: DeployPhase?
    /// What went wrong, for people.
    public var message: String

    /// Creates the error.
    public init(phase: DeployPhase?, message: String) {
        self.phase = phase
        self.message = message
    }

    /// `phase N: message`, or the message alone for phase 0.
    public var description: String { phase.map { "phase \($0.rawValue): \(message)" } ?? message }
}
