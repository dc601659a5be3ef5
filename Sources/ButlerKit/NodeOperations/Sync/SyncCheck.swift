import FleetKit
import Foundation

/// Compares every server's proven block with a reference into `sync_results.csv`.
public struct SyncCheck: FleetJob {
    /// What the servers are compared with.
    public var reference: SyncChecker.Reference
    /// The results CSV (written atomically).
    public var resultsFile: URL
    /// Limit of the check on one server.
    public var perHostTimeout: Duration

    /// Creates the job.
    public init(reference: SyncChecker.Reference = .fleetBest, resultsFile: URL, perHostTimeout: Duration = .seconds(60)) {
        self.reference = reference
        self.resultsFile = resultsFile
        self.perHostTimeout = perHostTimeout
    }

    /// Checks every server, the session's forks at a time, and writes the CSV.
    ///
    /// - Throws: ``AtomicFileError`` when the CSV cannot be written.
    public func run(in session: FleetSession) async throws -> SyncCheckReport {
        let started = ContinuousClock.now
        let (results, progress) = await SyncChecker(transport: session.transport, runLog: session.runLog, reference: reference,
                                                    perHostTimeout: perHostTimeout, forks: session.options.forks, clock: session.clock)
            .checkTrackingProgress(session.inventory.hosts)
        try SyncResultsFile.write(results, to: resultsFile)
        session.runLog.info("results: \(resultsFile.path)")
        return SyncCheckReport(results: results, resultsFile: resultsFile, duration: (ContinuousClock.now - started).seconds, progress: progress)
    }
}

/// What a sync check found.
public struct SyncCheckReport: Sendable, FleetKit.ProgressReporting {
    /// One result per server, in inventory order.
    public var results: [SyncResult]
    /// The results CSV.
    public var resultsFile: URL
    /// Seconds the check took.
    public var duration: Double
    /// How far each server's check got (all `done` unless the check was cancelled).
    public var progress: [HostProgressEntry] = []

    /// Servers checked, cut short and not started, for the recap of an interrupted check.
    public func progressLines() -> [String] { progress.progressLines() }

    /// Whether every node is synced.
    public var succeeded: Bool { results.allSatisfy { $0.status == .synced } }
    /// The summary for people.
    public var text: String { SyncResultsFile.summary(results, duration: duration) }
}
