import FleetKit
import Foundation

/// Collects every server's archive sibling path at its proven block into a results CSV,
/// with a summary file beside the session's log.
public struct ProofCollection: FleetJob {
    /// How the results are written.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// `proof_results.csv` as the original toolkit wrote it (SUCCESS/ERROR/FAILED), the
        /// previous file kept as a backup, and its summary lines.
        case original
        /// Our statuses, durations and reasons.
        case detailed

        /// The results file's usual name.
        public var defaultFileName: String { self == .original ? ProofResultsFile.defaultFileName : "proofs.csv" }
    }

    /// Where the results go (written atomically).
    public var resultsFile: URL
    /// How they are written.
    public var format: Format
    /// The node's RPC port on each server.
    public var rpcPort: Int
    /// Limit of the whole collection on one server.
    public var perHostTimeout: Duration

    /// Creates the job.
    public init(resultsFile: URL, format: Format = .original, rpcPort: Int = 8080, perHostTimeout: Duration = .seconds(300)) {
        self.resultsFile = resultsFile
        self.format = format
        self.rpcPort = rpcPort
        self.perHostTimeout = perHostTimeout
    }

    /// Asks every server for its proof, the session's forks at a time, and writes the files.
    ///
    /// - Throws: ``PreflightFailure`` when this machine lacks the ssh program or a key file;
    ///   ``AtomicFileError`` when a file cannot be written.
    public func run(in session: FleetSession) async throws -> ProofCollectionReport {
        try session.checkLocalPrerequisites()
        let startedAt = session.clock.now()
        let started = ContinuousClock.now
        let (results, progress) = await ProofCollector(transport: session.transport, runLog: session.runLog, rpcPort: rpcPort,
                                                       perHostTimeout: perHostTimeout, forks: session.options.forks, clock: session.clock)
            .collectTrackingProgress(from: session.inventory.hosts)
        let duration = (ContinuousClock.now - started).seconds
        let logPath = session.logFile?.path ?? ""
        let summaryFile = session.logFile.map { log in
            log.deletingLastPathComponent().appendingPathComponent(
                log.lastPathComponent.replacingOccurrences(of: "proof_collection_", with: "proof_summary_")
                    .replacingOccurrences(of: ".log", with: ".txt"))
        }
        var report = ProofCollectionReport(results: results, resultsFile: resultsFile, summaryFile: summaryFile)
        report.progress = progress
        switch format {
        case .original:
            report.previousResults = try ProofResultsFile.write(results, to: resultsFile, date: startedAt)
            if let backup = report.previousResults { session.runLog.info("previous results kept as \(backup.path)") }
            if let summaryFile {
                let summary = ProofResultsFile.summary(results, generated: session.clock.now(), resultsFile: resultsFile.standardizedFileURL.path,
                                                       logFile: logPath)
                try AtomicFile.write(session.redact(summary), to: summaryFile)
            }
            report.text = ProofResultsFile.consoleSummary(results, resultsFile: resultsFile.path, logFile: logPath)
        case .detailed:
            try ProofReport.writeCSV(results, to: resultsFile)
            let summary = session.redact(ProofReport.summary(results, duration: duration, startedAt: startedAt))
            if let summaryFile { try AtomicFile.write(summary, to: summaryFile) }
            report.text = summary + "results: \(resultsFile.path)\nlog: \(logPath)\n"
        }
        session.runLog.info("results: \(resultsFile.path); summary: \(summaryFile?.path ?? "none")")
        return report
    }
}

/// What a proof collection found and wrote.
public struct ProofCollectionReport: Sendable, FleetKit.ProgressReporting {
    /// One result per server, in inventory order.
    public var results: [ProofResult]
    /// The results CSV.
    public var resultsFile: URL
    /// The summary beside the run log, when the session writes a log file.
    public var summaryFile: URL?
    /// Where the previous results were kept (original format, when there were some).
    public var previousResults: URL?
    /// The summary for people, as the format prints it.
    public var text = ""
    /// How far each server's collection got (all `done` unless the collection was cancelled).
    public var progress: [HostProgressEntry] = []

    /// Whether every server gave a proof.
    public var succeeded: Bool { results.allSatisfy { $0.status == .ok } }

    /// Servers collected, cut short and not started, for the recap of an interrupted collection.
    public func progressLines() -> [String] { progress.progressLines() }
}
