import FleetKit
import Foundation

/// Runs Aztec install stages on FleetKit's ``StagedRun``: a host that fails a stage does not
/// go on to the next one, the other hosts do; each step leaves an audit line on the server.
public struct StagedInstall: Sendable {
    /// How commands reach hosts.
    public var transport: any Transport
    /// Where progress goes.
    public var runLog: RunLog
    /// Parallelism, check mode, force and each command's limit.
    public var options: RunOptions
    /// Time limit of one stage on one host, from its first command to its last.
    public var stageTimeout: Duration
    /// Versions, URLs, ports and paths of the stages.
    public var settings: InstallSettings
    /// Folder for one log file per stage (`prepare_…`, `docker_…`, `aztec_…`); `nil` writes none.
    public var stageLogDirectory: URL?
    /// Levels written to the per-stage log files.
    public var stageLogLevels: Set<LogLevel>
    /// Time source for retry pauses and audit timestamps.
    public var clock: any FleetClock

    /// Creates the install; `stageTimeout` defaults to the options' command limit.
    public init(transport: any Transport, runLog: RunLog, options: RunOptions, settings: InstallSettings,
                stageTimeout: Duration? = nil, stageLogDirectory: URL? = nil,
                stageLogLevels: Set<LogLevel> = LogLevel.fileLevels(verbose: false), clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.options = options
        self.stageTimeout = stageTimeout ?? options.defaultTimeout
        self.settings = settings
        self.stageLogDirectory = stageLogDirectory
        self.stageLogLevels = stageLogLevels
        self.clock = clock
    }

    /// Runs `stages` in order on `hosts` after sorting out, when the aztec stage is among
    /// them, the servers that already run a node: `existingNodes` says what happens to
    /// those the original toolkit installed (see ``OriginalLayoutPolicy``), and a server
    /// that cannot be inspected is refused. `unreachable` hosts (from the preflight) are
    /// listed in the report without being contacted.
    public func run(_ stages: [InstallStage], on hosts: [RemoteHost], unreachable: [UnreachableHost] = [],
                    existingNodes: OriginalLayoutPolicy) async -> StagedRunReport {
        guard stages.contains(.aztec) else { return await runStages(stages, on: hosts, unreachable: unreachable, excluded: []) }
        let sorted = await sortExistingNodes(hosts, policy: existingNodes)
        return await runStages(stages, on: sorted.remaining, unreachable: unreachable, excluded: sorted.excluded)
    }

    private func runStages(_ stages: [InstallStage], on hosts: [RemoteHost], unreachable: [UnreachableHost],
                           excluded: [ExcludedHost]) async -> StagedRunReport {
        let run = StagedRun(transport: transport, runLog: runLog, options: options, stageTimeout: stageTimeout,
                            audit: ServerAuditLog(path: settings.auditLogPath), stageLogDirectory: stageLogDirectory,
                            stageLogLevels: stageLogLevels, clock: clock)
        return await run.run(stages.map { $0.stage(settings) }, on: hosts, unreachable: unreachable, excluded: excluded)
    }
}
