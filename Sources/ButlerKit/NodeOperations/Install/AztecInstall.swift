import FleetKit
import Foundation

/// Installs Aztec nodes on a session's servers: the preflight, then the install stages in
/// order, each server going on to the next stage only when it passed the last one.
///
/// What happens to servers the original toolkit installed is a choice the caller must make
/// (``OriginalLayoutPolicy``): a second node is never started next to theirs.
///
/// ```swift
/// let report = try await FleetSession.with(configuration) { session in
///     try await session.run(AztecInstall(settings: InstallSettings(aztecVersion: "2.1.2"), existingNodes: .refuse))
/// }
/// ```
public struct AztecInstall: FleetJob {
    /// The stages to run, in order (all three by default).
    public var stages: [InstallStage]
    /// Versions, URLs, ports and the node's folders.
    public var settings: InstallSettings
    /// What to do with servers the original toolkit installed.
    public var existingNodes: OriginalLayoutPolicy
    /// Time limit of one stage on one server; `nil` takes the session's command limit.
    public var stageTimeout: Duration?
    /// Whether each stage also gets a log file of its own (`prepare_…`, `docker_…`,
    /// `aztec_…`) beside the session's log, as the original's complete install wrote them.
    public var writesStageLogs: Bool
    /// For the keystore form: the Butler's keys files, each server taking its newest one
    /// (by its Butler server id) instead of a keystore built from its inventory row.
    public var keysFolder: ButlerKeysFolder?

    /// Creates the install; `writesStageLogs` defaults to whether there are several stages.
    public init(stages: [InstallStage] = InstallStage.allCases, settings: InstallSettings, existingNodes: OriginalLayoutPolicy,
                stageTimeout: Duration? = nil, writesStageLogs: Bool? = nil, keysFolder: ButlerKeysFolder? = nil) {
        self.keysFolder = keysFolder
        self.stages = stages
        self.settings = settings
        self.existingNodes = existingNodes
        self.stageTimeout = stageTimeout
        self.writesStageLogs = writesStageLogs ?? (stages.count > 1)
    }

    /// Runs the preflight, then the stages on the servers that answered.
    ///
    /// - Throws: ``PreflightFailure`` when this machine lacks something, ``KeystoreRefusal``
    ///   when the keys files fail their checks (no server was changed either way).
    public func run(in session: FleetSession) async throws -> StagedRunReport {
        var settings = settings
        if settings.keyForm == .keystore {
            settings.movesEnvironmentKeys = existingNodes == .migrate
            if let keysFolder {
                let catalog = try KeystoreCatalog.load(keysFolder, servers: session.inventory.hosts.map(KeystoreServerID.of), requiresEveryServer: false)
                settings.keystoreFiles = catalog.files
                for warning in catalog.warnings { session.runLog.warn(warning) }
            }
        }
        let preflight = try await session.preflight()
        let install = StagedInstall(transport: session.transport, runLog: session.runLog, options: session.options, settings: settings,
                                    stageTimeout: stageTimeout,
                                    stageLogDirectory: writesStageLogs ? session.logFile?.deletingLastPathComponent() : nil,
                                    stageLogLevels: session.logFileLevels, clock: session.clock)
        return await install.run(stages, on: preflight.reachable, unreachable: preflight.unreachable, existingNodes: existingNodes)
    }
}
