import FleetKit
import Foundation

/// The stuck state-sync fix (``StuckSyncFix``) as one run over one connection: the node
/// file checked, the log opened, the connection tested, the go-ahead (in advance or typed
/// on the console), then the fix's steps. Returns a report; never prints or exits.
public struct StuckSyncFixRun: Sendable {
    /// The question asked before the fix changes anything.
    public static let question = "Apply the stuck state-sync fix? It stops the node's containers and may remove partial chain data (yes/no): "

    /// The node file, folders, connection and console.
    public var settings: NodeRunSettings
    /// The caller has confirmed the fix in advance, so nothing is asked.
    public var confirmedInAdvance: Bool
    /// The peer filter script on the server; `nil` runs none (the fix needs nothing a deployment did not set up).
    public var peerFilterScript: String?

    /// Creates the run.
    public init(settings: NodeRunSettings, confirmedInAdvance: Bool = false, peerFilterScript: String? = nil) {
        self.settings = settings
        self.confirmedInAdvance = confirmedInAdvance
        self.peerFilterScript = peerFilterScript
    }

    /// Runs the fix and closes its connection, whatever way it ends.
    ///
    /// - Throws: before anything starts: ``DeployConfirmationError`` (not confirmed in
    ///   advance and no console to ask on), a ``NodeConfigError``, ``NodeRunSetupError``,
    ///   or the error of a log file or transport that cannot be created.
    public func run() async throws -> DeployRunReport {
        let asks = !confirmedInAdvance
        if asks, !settings.console.canAsk { throw DeployConfirmationError(subject: .stuckSyncFix) }
        let session = try NodeRunSession(settings, config: try settings.loadNodeConfig(), checkMode: false)
        session.banner("Gonka Stuck State-Sync Fix")
        defer { session.runLog.info("Fix finished at: \(settings.clock.now())") }
        var report = DeployRunReport(logFile: session.logFile, localFolder: session.folder)
        report.outcome = await fix(session, asks: asks)
        await session.close()
        return report
    }

    private func fix(_ session: NodeRunSession, asks: Bool) async -> DeployRunReport.Outcome {
        let runLog = session.runLog, deployment = session.deployment
        guard await session.connect() else { return .failed }
        if asks, !session.confirms(Self.question) {
            runLog.info("Fix cancelled by user")
            return .declined
        }
        let playbook = deployment.fixSyncPlaybook(peerFilterScript: peerFilterScript)
        deployment.section(playbook.name)
        let options: RunOptions
        do {
            options = try RunOptions(forks: 1, defaultTimeout: deployment.commandTimeout)
        } catch {
            runLog.error("Fix failed: \(error.description). Check log: \(session.logFile.path)")
            return .failed
        }
        let staged = await StagedRun(transport: session.transport, runLog: runLog, options: options, stageTimeout: deployment.phaseTimeout,
                                     clock: deployment.clock)
            .run([Stage(playbook.name, playbook: playbook)], on: [deployment.host])
        guard staged.succeeded else {
            let message = staged.lastReport(of: deployment.host.name)?.message ?? "the fix did not finish"
            runLog.error("Fix failed: \(message). Check log: \(session.logFile.path)")
            return .failed
        }
        runLog.log(.success, "Stuck state-sync fix applied")
        return .finished
    }
}
