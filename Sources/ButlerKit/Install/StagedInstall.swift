import FleetKit

/// Runs install stages one after another: a host that fails a stage does not go on to the
/// next one, the other hosts do.
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
    /// Time source for retry pauses and audit timestamps.
    public var clock: any FleetClock

    /// Creates the install; `stageTimeout` defaults to the options' command limit.
    public init(transport: any Transport, runLog: RunLog, options: RunOptions, settings: InstallSettings,
                stageTimeout: Duration? = nil, clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.options = options
        self.stageTimeout = stageTimeout ?? options.defaultTimeout
        self.settings = settings
        self.clock = clock
    }

    /// Runs `stages` in order on `hosts` and appends each step's outcome to every server's audit log
    /// (not in check mode).
    public func run(_ stages: [InstallStage], on hosts: [RemoteHost]) async -> StagedInstallReport {
        var remaining = hosts
        var reports: [StageReport] = []
        for stage in stages {
            guard !remaining.isEmpty else {
                runLog.warn("stage \(stage.rawValue) skipped: no host is left to run it")
                break
            }
            runLog.info("stage \(stage.rawValue) on \(remaining.count) hosts")
            let bounded = StageDeadlineTransport(transport, limit: stageTimeout)
            let runner = PlaybookRunner(transport: bounded, runLog: runLog, options: options, clock: clock)
            let report = await runner.run(stage.playbook(settings), on: remaining)
            if !options.checkMode {
                await InstallAudit(transport: transport, runLog: runLog, path: settings.auditLogPath, clock: clock)
                    .record(report, stage: stage, hosts: remaining)
            }
            reports.append(StageReport(stage: stage, report: report))
            let passed = Set(report.hosts.filter { $0.status == .succeeded }.map(\.host))
            for host in remaining where !passed.contains(host.name) && stage != stages.last {
                runLog.warn("stops after stage \(stage.rawValue); later stages are not run on it", host: host.name)
            }
            remaining = remaining.filter { passed.contains($0.name) }
            if stage == .docker, stage != stages.last, !options.checkMode {
                // Group changes apply at login: new connections let later stages use docker.
                runLog.info("reconnecting so the docker group membership applies to the next stages")
                await transport.close()
            }
        }
        return StagedInstallReport(hostNames: hosts.map(\.name), stages: reports)
    }
}

/// One stage's run.
public struct StageReport: Sendable, Codable {
    /// Which stage.
    public var stage: InstallStage
    /// Its run on the hosts that reached it.
    public var report: RunReport
}

/// The outcome of one or more stages on a fleet.
public struct StagedInstallReport: Sendable, Codable {
    /// Every host given to the install, in order.
    public var hostNames: [String]
    /// The stages that ran, in order.
    public var stages: [StageReport]

    /// Whether every host passed every stage.
    public var succeeded: Bool {
        hostNames.allSatisfy { name in lastReport(of: name)?.status == .succeeded && reachedEveryStage(name) }
    }

    private func reachedEveryStage(_ name: String) -> Bool {
        stages.allSatisfy { stage in stage.report.hosts.contains { $0.host == name } }
    }

    /// The report of the last stage `host` reached.
    public func lastReport(of host: String) -> HostReport? {
        for stage in stages.reversed() {
            if let report = stage.report.hosts.first(where: { $0.host == host }) { return report }
        }
        return nil
    }

    /// Recap lines per stage (`== prepare ==` then one line per host), then one verdict per host.
    public func recapLines() -> [String] {
        var lines: [String] = []
        for stage in stages {
            lines.append("== \(stage.stage.rawValue) ==")
            lines += stage.report.recapLines()
        }
        let width = hostNames.map(\.count).max() ?? 0
        lines.append("== result ==")
        for name in hostNames {
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            guard let report = lastReport(of: name), let stage = stages.last(where: { $0.report.hosts.contains { $0.host == name } }) else {
                lines.append("\(padded) : not run")
                continue
            }
            if report.status == .succeeded && reachedEveryStage(name) {
                lines.append("\(padded) : ok")
            } else {
                lines.append("\(padded) : \(report.status.rawValue) in \(stage.stage.rawValue)" + (report.message.map { ": \($0)" } ?? ""))
            }
        }
        return lines
    }
}
