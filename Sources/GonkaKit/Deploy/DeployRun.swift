import FleetKit
import Foundation

/// A whole deployment of one node, as the original runs it: phase 0 (the node file checked,
/// the log opened, one connection, the parameters shown, the go-ahead), the selected
/// phases (``NodeDeployment``), then the final summary. Configure it, run it once, read the
/// report; lines go to the run log and the console of ``NodeRunSettings/console``, and
/// nothing is printed or read otherwise.
///
/// ```swift
/// let run = DeployRun(settings: settings, selection: .all, checkMode: true)
/// let report = try await run.run()
/// ```
public struct DeployRun: Sendable {
    /// The node file, folders, connection and console.
    public var settings: NodeRunSettings
    /// The phases to carry out.
    public var selection: DeployPhaseSelection
    /// Run the checks only and report what would change; nothing needs confirming.
    public var checkMode: Bool
    /// The caller has confirmed the deployment (and a chain-data reset) in advance.
    public var confirmedInAdvance: Bool
    /// Phase 5 deletes the node's chain data and syncs it anew; confirmed in advance or on the console.
    public var resetChainData: Bool
    /// Phase 8 prints the grant command or runs the grant here.
    public var grant: GrantChoice
    /// How the caller names these choices in the lines the run shows.
    public var labels: DeployChoiceLabels
    /// Deploy even when phase 0 finds that the server's GPUs cannot run the node's
    /// configuration (as the node file's `GPU_CHECK=warn` does); the finding is still shown.
    public var ignoreGPUCheck: Bool
    /// Set by a run of several nodes (``NodeFleetDeployRun``): the go-ahead it got once for
    /// every node, and it showed the parameters in its own table, so this run shows no
    /// parameter block and asks nothing.
    var fleetConfirmation: FleetConfirmation?

    /// The go-ahead a run of several nodes got for all of them.
    struct FleetConfirmation: Sendable {
        /// For the deployment (``DeployConfirmation/notNeeded`` in check mode).
        var deployment: DeployConfirmation
        /// For a chain-data reset, when one was asked for.
        var reset: DeployConfirmation?
    }

    /// Creates the run; by default every phase, confirmed on the console, the grant printed,
    /// and GPUs that cannot run the configuration stop it.
    public init(settings: NodeRunSettings, selection: DeployPhaseSelection = .all, checkMode: Bool = false, confirmedInAdvance: Bool = false,
                resetChainData: Bool = false, grant: GrantChoice = .printCommand, labels: DeployChoiceLabels = DeployChoiceLabels(),
                ignoreGPUCheck: Bool = false) {
        self.ignoreGPUCheck = ignoreGPUCheck
        self.settings = settings
        self.selection = selection
        self.checkMode = checkMode
        self.confirmedInAdvance = confirmedInAdvance
        self.resetChainData = resetChainData
        self.grant = grant
        self.labels = labels
    }

    /// Runs the deployment and closes its connection, whatever way it ends.
    ///
    /// - Throws: before anything starts: a ``NodeConfigError`` (the node file),
    ///   ``DeployConfirmationError`` (nothing to confirm on), ``GrantSetupError``,
    ///   ``NodeRunSetupError``, or the error of a log file or transport that cannot be
    ///   created. Once the log is open, failures are in the report.
    public func run() async throws -> DeployRunReport {
        let config = try settings.loadNodeConfig()
        let advance = confirmedInAdvance ? labels.advanceConfirmation : nil
        let confirmation = try fleetConfirmation?.deployment
            ?? DeployConfirmation.decide(checkMode: checkMode, autoConfirm: config.autoConfirm, advanceConfirmation: advance,
                                         inputIsTerminal: settings.console.canAsk)
        let reset = try fleetConfirmation.map(\.reset)
            ?? DeployConfirmation.decideReset(resetChainData: resetChainData, checkMode: checkMode, advanceConfirmation: advance,
                                              inputIsTerminal: settings.console.canAsk)
        var session = try NodeRunSession(settings, config: config, checkMode: checkMode, resetChainData: reset != nil,
                                         grantMode: try grant.mode(coldKeyName: config.coldKeyName))
        session.banner("Gonka Node Deployment Script")
        if checkMode { session.runLog.info("\(labels.checkMode): only checks run; nothing on the server or here is changed") }
        session.deployment.section("PHASE 0: VALIDATION")
        session.runLog.log(.ok, "All required parameters validated")
        var report = DeployRunReport(logFile: session.logFile, localFolder: session.folder)
        report.outcome = await proceed(&session, confirmation: confirmation, reset: reset, report: &report)
        await session.close()
        session.runLog.info("Deployment finished at: \(settings.clock.now())")
        return report
    }

    /// Everything after the log is open: connection, GPU check, display, confirmations, phases, summary.
    private func proceed(_ session: inout NodeRunSession, confirmation: DeployConfirmation, reset: DeployConfirmation?,
                         report: inout DeployRunReport) async -> DeployRunReport.Outcome {
        let runLog = session.runLog, console = settings.console
        guard await session.connect() else { return .failed }
        let gpu = await checkGPUs(&session)
        report.gpu = gpu
        if Task.isCancelled {
            runLog.error("interrupted: the deployment was cancelled; phases completed: none; stopped in: phase 0 (reading the GPUs). Check log: \(session.logFile.path)")
            return .interrupted
        }
        if gpu.stopsDeployment, !checkMode {
            runLog.error("Refusing to deploy: the server's GPUs cannot run the node's configuration, and nothing was changed. "
                + "Set NODE_CONFIG_PROFILE to a configuration they can run, or deploy all the same with GPU_CHECK=warn in the node file or \(labels.gpuCheckOverride). "
                + "Check log: \(session.logFile.path)")
            return .failed
        }
        let deployment = session.deployment
        let display = DeployParameterDisplay.lines(session.config, configPath: settings.nodeFileName, logFile: session.logFile.path,
                                                   outputFolder: session.folder.path, gpu: gpu)
        if fleetConfirmation == nil { console.writeOutput(display.joined(separator: "\n") + "\n") }
        switch confirmation {
        case .notNeeded:
            break
        case .automatic(let reason):
            if fleetConfirmation == nil { console.writeOutput("Please verify all parameters above.\n\(reason), skipping confirmation prompt\n") }
            runLog.info("Auto-confirmed deployment (\(reason)). Starting...")
        case .ask:
            guard session.confirms("Please verify all parameters above.\n" + DeployConfirmation.prompt) else {
                runLog.info("Deployment cancelled by user")
                return .declined
            }
            runLog.info("User confirmed deployment. Starting...")
        }
        if reset == .ask {
            let data = BlockchainConfigurationPhase.dataPath(session.config)
            guard session.confirms("\(labels.chainDataReset) deletes \(data) on \(deployment.endpoint). Delete the chain data? (yes/no): ") else {
                runLog.info("Chain data reset not confirmed; nothing was done")
                return .declined
            }
        }
        if reset != nil, selection.phases.contains(.blockchainConfiguration) == false {
            runLog.warn("\(labels.chainDataReset) only acts in phase 5, which this run does not include")
        }
        let phases = await deployment.run(selection)
        report.phases = phases
        if Task.isCancelled {
            // A signal: the running command was stopped on the server; later phases did not start.
            let done = phases.completed.map { "\($0)" }.joined(separator: ", ")
            runLog.error("interrupted: the deployment was cancelled; phases completed: \(done.isEmpty ? "none" : done)"
                + (phases.failure.map { "; stopped in: \($0.description)" } ?? "") + ". Check log: \(session.logFile.path)")
            return .interrupted
        }
        if let failure = phases.failure {
            runLog.error("Deployment failed: \(failure.description). Check log: \(session.logFile.path)")
            return .failed
        }
        if checkMode {
            runLog.log(.ok, "Check finished: \(Plural.count(phases.changedSteps, "step")) would change")
            return .finished
        }
        if phases.completed.last == .grant { showSummary(session) }
        if !phases.warnings.isEmpty {
            runLog.warn("\(Plural.count(phases.warnings.count, "warning")) in this run:")
            for warning in phases.warnings { runLog.warn("  \(warning)") }
        }
        runLog.log(.success, selection == .all ? "All phases completed successfully!" : "All selected phases completed successfully!")
        return .finished
    }

    /// Phase 0's GPU check: reads the GPUs, picks the configuration when the node file leaves
    /// it open (the session goes on with it), and logs whether the configuration can run.
    private func checkGPUs(_ session: inout NodeRunSession) async -> GPUCheckFinding {
        let runLog = session.runLog
        runLog.log(.check, "Reading the server's GPUs (nvidia-smi)")
        let gpus = await session.deployment.readGPUs()
        let finding = GPUCheckFinding(config: session.config, gpus: gpus, overridden: ignoreGPUCheck)
        if case .found = gpus { runLog.log(.ok, "GPUs: \(gpus.summary)") } else { runLog.warn("GPUs: \(gpus.summary)") }
        if finding.profileWasOpen {
            if let pick = finding.pick {
                runLog.log(.ok, "NODE_CONFIG_PROFILE=auto: picked \(pick.description)")
                session.use(pick.profile)
            } else {
                runLog.warn("NODE_CONFIG_PROFILE=auto: no configuration serving \(session.config.modelName) fits these GPUs; judging \(finding.profile.rawValue)")
            }
        }
        if finding.fits {
            runLog.log(.ok, "The GPUs can run node-config.json's configuration \(finding.configuration)")
            return finding
        }
        runLog.warn("The GPUs cannot run node-config.json's configuration \(finding.configuration):")
        for problem in finding.problems { runLog.warn("  - \(problem)") }
        if finding.overridden {
            runLog.warn("Deploying all the same (\(ignoreGPUCheck ? labels.gpuCheckOverride : "GPU_CHECK=warn"))")
        } else if checkMode {
            runLog.warn("A deployment would stop here, before changing anything (GPU_CHECK=warn in the node file or \(labels.gpuCheckOverride) deploys all the same)")
        }
        return finding
    }

    /// The final report after phase 8.
    private func showSummary(_ session: NodeRunSession) {
        session.deployment.section("DEPLOYMENT COMPLETED SUCCESSFULLY")
        let warm = (try? String(contentsOf: session.folder.appendingPathComponent("warm_address.txt"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let summary = DeploymentSummary.lines(session.config, warmAddress: warm, localFolder: session.folder, logFile: session.logFile,
                                              backupCommand: settings.backupCommand)
        settings.console.writeOutput(summary.joined(separator: "\n") + "\n")
    }
}

/// What a ``DeployRun`` or ``StuckSyncFixRun`` did, once its log was open.
public struct DeployRunReport: Sendable {
    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// Every selected phase ran and passed (in check mode: every check ran).
        case finished
        /// The operator did not confirm; nothing was changed.
        case declined
        /// The connection or a phase failed; the log says why.
        case failed
        /// The run was cancelled (a signal): the running command was stopped, later phases
        /// did not start; the log's `interrupted:` line says how far it got.
        case interrupted
    }

    /// How the run ended.
    public var outcome: Outcome = .failed
    /// The run's log file.
    public var logFile: URL
    /// The node's local folder.
    public var localFolder: URL
    /// What the phases did, when they ran.
    public var phases: NodeDeploymentReport?
    /// Phase 0's GPU check, once the connection was open.
    public var gpu: GPUCheckFinding?

    /// Creates a report of a run that has not ended yet.
    public init(logFile: URL, localFolder: URL) {
        self.logFile = logFile
        self.localFolder = localFolder
    }

    /// Whether the run failed (a declined run did not: nothing was asked of it).
    public var failed: Bool { outcome == .failed || outcome == .interrupted }
}
