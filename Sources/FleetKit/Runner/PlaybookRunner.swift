import Foundation

/// Applies a playbook to many hosts: in parallel up to `forks`, in batches when `serial`
/// is set, every host to the end and reported, one failure never stopping the others
/// unless asked to.
public struct PlaybookRunner: Sendable {
    /// How commands reach hosts.
    public let transport: any Transport
    /// Where progress goes; every host's secrets are registered with it before the run.
    public let runLog: RunLog
    /// Parallelism, batches, failure limits and modes.
    public let options: RunOptions
    /// Time source for retry pauses.
    public let clock: any FleetClock

    /// Creates a runner.
    public init(transport: any Transport, runLog: RunLog, options: RunOptions = RunOptions(), clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.options = options
        self.clock = clock
    }

    /// Runs `playbook` on `hosts` and returns one report per host, in the given order.
    ///
    /// Cancelling the calling task ends the run promptly: running commands are stopped
    /// (on the hosts too, with ``OpenSSHTransport``), retry pauses end, no further step
    /// or host starts, and the report marks the unfinished hosts `stopped` with the run's
    /// `stopReason` saying it was cancelled.
    public func run(_ playbook: Playbook, on hosts: [RemoteHost]) async -> RunReport {
        let started = ContinuousClock.now
        runLog.addSecrets(hosts.flatMap(\.secretValues))
        let mode = options.checkMode ? " (check mode: nothing will be changed)" : ""
        runLog.info("playbook \(playbook.name): \(Plural.count(playbook.steps.count, "step")) on \(Plural.count(hosts.count, "host"))\(mode)")

        let stop = StopSignal()
        var reports: [HostReport?] = Array(repeating: nil, count: hosts.count)
        let batchSize = options.serial ?? max(1, hosts.count)
        var batchStart = 0
        while batchStart < hosts.count {
            let batch = Array(batchStart..<min(hosts.count, batchStart + batchSize))
            batchStart += batchSize
            if Task.isCancelled { stop.trigger(Self.cancelledReason) }
            if let reason = stop.reason {
                for index in batch { reports[index] = Self.notStarted(hosts[index], reason: reason) }
                continue
            }
            let batchReports = await runBatch(playbook, hosts: batch.map { ($0, hosts[$0]) }, stop: stop)
            for (index, report) in batchReports { reports[index] = report }
            if Task.isCancelled { stop.trigger(Self.cancelledReason) }
            // The limit stops the batches still to come; after the last one there is nothing to stop.
            if let limit = options.maxFailPercentage, !batch.isEmpty, batchStart < hosts.count {
                let failed = batch.filter { reports[$0]?.status == .failed || reports[$0]?.status == .unreachable }.count
                let percentage = Double(failed) * 100 / Double(batch.count)
                if percentage > limit {
                    stop.trigger("\(failed) of \(Plural.count(batch.count, "host")) in a batch failed (\(Int(percentage))% > maxFailPercentage \(limit)%)")
                }
            }
        }
        let final = reports.enumerated().map { index, report in report ?? Self.notStarted(hosts[index], reason: "not run") }
        let report = RunReport(playbook: playbook.name, checkMode: options.checkMode, hosts: final,
                               stopReason: stop.reason, duration: (ContinuousClock.now - started).seconds)
        if let reason = stop.reason { runLog.error("run stopped early: \(reason)") }
        return report
    }

    private func runBatch(_ playbook: Playbook, hosts: [(Int, RemoteHost)], stop: StopSignal) async -> [(Int, HostReport)] {
        await Concurrently.map(hosts, limit: options.forks) { index, host in
            (index, await self.runHost(playbook, host: host, stop: stop))
        }
    }

    private func runHost(_ playbook: Playbook, host: RemoteHost, stop: StopSignal) async -> HostReport {
        if Task.isCancelled { stop.trigger(Self.cancelledReason) }
        if let reason = stop.reason { return Self.notStarted(host, reason: reason) }
        let run = HostRun(playbook: playbook, host: host, transport: transport, runLog: runLog, options: options,
                          clock: clock, stop: stop)
        let report = await run.execute()
        if options.anyErrorsFatal, report.status == .failed || report.status == .unreachable {
            stop.trigger("\(host.name) \(report.status == .failed ? "failed" : "was unreachable") and anyErrorsFatal is set")
        }
        return report
    }

    /// The stop reason of a cancelled run.
    static let cancelledReason = "the run was cancelled"

    private static func notStarted(_ host: RemoteHost, reason: String) -> HostReport {
        HostReport(host: host.name, address: host.address, status: .stopped, steps: [], counts: StepCounts(),
                   message: reason, duration: 0)
    }
}

/// Set once when the run must stop; hosts look at it between steps.
final class StopSignal: Sendable {
    private let stored = Locked<String?>(nil)
    var reason: String? { stored.withLock { $0 } }
    func trigger(_ reason: String) { stored.withLock { if $0 == nil { $0 = reason } } }
}
