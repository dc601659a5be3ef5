import Foundation

/// Runs stages one after another: a host that fails a stage does not go on to the next,
/// the others do. Each stage is bounded per host by ``stageTimeout``, can append an audit
/// line per step on the server, and can write its own log file.
public struct StagedRun: Sendable {
    /// How commands reach hosts.
    public var transport: any Transport
    /// Where progress goes.
    public var runLog: RunLog
    /// Parallelism, check mode, force and each command's limit.
    public var options: RunOptions
    /// Time limit of one stage on one host, from its first command to its last.
    public var stageTimeout: Duration
    /// Where to append one line per step on each server; `nil` writes none. Never in check mode.
    public var audit: ServerAuditLog?
    /// Folder for one log file per stage (`<stage>_YYYYMMDD_HHMMSS.log`) beside the run's
    /// own log; `nil` writes none.
    public var stageLogDirectory: URL?
    /// Levels written to the per-stage log files.
    public var stageLogLevels: Set<LogLevel>
    /// Time source for retry pauses, audit timestamps and log file names.
    public var clock: any FleetClock

    /// Creates a staged run; `stageTimeout` defaults to the options' command limit.
    public init(transport: any Transport, runLog: RunLog, options: RunOptions, stageTimeout: Duration? = nil,
                audit: ServerAuditLog? = nil, stageLogDirectory: URL? = nil,
                stageLogLevels: Set<LogLevel> = LogLevel.fileLevels(verbose: false), clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.options = options
        self.stageTimeout = stageTimeout ?? options.defaultTimeout
        self.audit = audit
        self.stageLogDirectory = stageLogDirectory
        self.stageLogLevels = stageLogLevels
        self.clock = clock
    }

    /// Runs `stages` in order on `hosts`. Hosts in `unreachable` (from a ``Preflight``) and
    /// in `excluded` (left out by the caller, with why) are not contacted but appear in the
    /// report, so it names every host of the job.
    public func run(_ stages: [Stage], on hosts: [RemoteHost], unreachable: [UnreachableHost] = [],
                    excluded: [ExcludedHost] = []) async -> StagedRunReport {
        var remaining = hosts
        var reports: [StageReport] = []
        var notRun: [String] = []
        for (position, stage) in stages.enumerated() {
            if Task.isCancelled {
                // Cancelled: no later stage starts (the runner would only mark every host stopped).
                notRun = stages[position...].map(\.name)
                runLog.warn("stages not run: \(notRun.joined(separator: ", ")): the run was cancelled")
                break
            }
            guard !remaining.isEmpty else {
                runLog.warn("stage \(stage.name) skipped: no host is left to run it")
                break
            }
            let isLast = position == stages.count - 1
            let stageLog = openStageLog(stage.name)
            stageLog.info("stage \(stage.name) on \(Plural.count(remaining.count, "host"))")
            let bounded = StageDeadlineTransport(transport, limit: stageTimeout)
            let runner = PlaybookRunner(transport: bounded, runLog: stageLog, options: options, clock: clock)
            let report = await runner.run(stage.playbook, on: remaining)
            if let audit, !options.checkMode {
                await audit.record(report, stage: stage.name, hosts: remaining, transport: transport, forks: options.forks,
                                   runLog: stageLog, date: clock.now())
            }
            reports.append(StageReport(stage: stage.name, report: report))
            let passed = Set(report.hosts.filter { $0.status == .succeeded }.map(\.host))
            for host in remaining where !passed.contains(host.name) && !isLast {
                stageLog.warn("stops after stage \(stage.name); later stages are not run on it", host: host.name)
            }
            remaining = remaining.filter { passed.contains($0.name) }
            if stage.reconnectsAfter, !isLast, !options.checkMode, !Task.isCancelled {
                stageLog.info("reconnecting so the next stages log in afresh")
                await transport.close()
            }
        }
        return StagedRunReport(hostNames: hosts.map(\.name) + excluded.map(\.host) + unreachable.map(\.host), stages: reports,
                               unreachable: unreachable, excluded: excluded, stagesNotRun: notRun)
    }

    /// The run's log, plus a file of the stage's own when ``stageLogDirectory`` is set.
    private func openStageLog(_ name: String) -> RunLog {
        guard let stageLogDirectory else { return runLog }
        do {
            let url = try RunLogFile.newURL(in: stageLogDirectory, name: FileNameComponent.safe(name), date: clock.now())
            let log = runLog.adding([try FileLogSink(url: url, levels: stageLogLevels)])
            runLog.info("stage \(name) log: \(url.path)")
            return log
        } catch {
            runLog.warn("cannot create the log file of stage \(name): \(error.localizedDescription)")
            return runLog
        }
    }
}

/// A host a caller left out of a staged run, and why.
public struct ExcludedHost: Sendable, Codable, Equatable {
    /// The host's name.
    public var host: String
    /// The host's address.
    public var address: String
    /// Why it was left out.
    public var reason: String
    /// Whether leaving it out means the job failed for it (refused) rather than was not needed.
    public var isFailure: Bool

    /// Creates the record.
    public init(host: String, address: String, reason: String, isFailure: Bool) {
        self.host = host
        self.address = address
        self.reason = reason
        self.isFailure = isFailure
    }
}

/// One stage's run.
public struct StageReport: Sendable, Codable {
    /// The stage's name.
    public var stage: String
    /// Its run on the hosts that reached it.
    public var report: RunReport

    /// Creates the record.
    public init(stage: String, report: RunReport) {
        self.stage = stage
        self.report = report
    }
}

/// The outcome of a staged run on a fleet: every host given to it, the stages that ran,
/// and the hosts the preflight could not reach.
public struct StagedRunReport: Sendable, Codable, ProgressReporting {
    /// Every host of the job, in order: those that ran, then the unreachable ones.
    public var hostNames: [String]
    /// The stages that ran, in order.
    public var stages: [StageReport]
    /// Hosts that were never contacted because the preflight could not reach them.
    public var unreachable: [UnreachableHost]
    /// Hosts the caller left out of the stages, with why.
    public var excluded: [ExcludedHost]
    /// Stages a cancellation kept from starting, in order; `nil` when none was.
    public var stagesNotRun: [String]?

    /// Creates a report.
    public init(hostNames: [String], stages: [StageReport], unreachable: [UnreachableHost] = [], excluded: [ExcludedHost] = [],
                stagesNotRun: [String] = []) {
        self.stagesNotRun = stagesNotRun.isEmpty ? nil : stagesNotRun
        self.hostNames = hostNames
        self.stages = stages
        self.unreachable = unreachable
        self.excluded = excluded
    }

    /// Whether every host passed every stage (an excluded host only fails the run when its
    /// exclusion is a failure).
    public var succeeded: Bool {
        let excludedNames = Set(excluded.map(\.host))
        return unreachable.isEmpty && !excluded.contains(where: \.isFailure)
            && hostNames.filter { !excludedNames.contains($0) }
                .allSatisfy { name in lastReport(of: name)?.status == .succeeded && reachedEveryStage(name) }
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

    /// What an interrupted staged run did: each stage's hosts done, stopped in flight and
    /// not started, then the stages that never started.
    public func progressLines() -> [String] {
        stages.flatMap { stage in stage.report.progressLines().map { "stage \(stage.stage): \($0)" } }
            + ["stages not run: \((stagesNotRun ?? []).isEmpty ? "none" : (stagesNotRun ?? []).joined(separator: ", "))"]
    }

    /// Recap lines per stage (`== prepare ==` then one line per host), then one verdict per host.
    public func recapLines() -> [String] {
        var lines: [String] = []
        for stage in stages {
            lines.append("== \(stage.stage) ==")
            lines += stage.report.recapLines()
        }
        let width = hostNames.map(\.count).max() ?? 0
        let unreachableByName = Dictionary(unreachable.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        lines.append("== result ==")
        for name in hostNames {
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            if let missing = unreachableByName[name] {
                lines.append("\(padded) : unreachable: \(missing.reason)")
                continue
            }
            if let left = excluded.first(where: { $0.host == name }) {
                lines.append("\(padded) : \(left.isFailure ? "refused" : "left out"): \(left.reason)")
                continue
            }
            guard let report = lastReport(of: name), let stage = stages.last(where: { $0.report.hosts.contains { $0.host == name } }) else {
                lines.append("\(padded) : not run")
                continue
            }
            if report.status == .succeeded && reachedEveryStage(name) {
                lines.append("\(padded) : ok")
            } else {
                lines.append("\(padded) : \(report.status.rawValue) in \(stage.stage)" + (report.message.map { ": \($0)" } ?? ""))
            }
        }
        return lines
    }
}
