import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The original toolkit's proof files, byte for byte: `proof_results.csv`, its backup,
/// the `proof_summary_*.txt` lines and the console block, so scripts and spreadsheets
/// that read them keep working.
///
/// Deliberate differences: every host of the inventory has a row, in inventory order
/// (the original dropped unreachable hosts and sorted rows by host name), and an
/// unreachable host is `FAILED`.
public enum ProofResultsFile {
    /// The header line, exactly as the original wrote it.
    public static let header = "ip,address,block_number,proof,status,timestamp"

    /// The file name the original used.
    public static let defaultFileName = "proof_results.csv"

    /// The free-text column whose cells are neutralised against spreadsheet formulas
    /// (``CSVWriter``); the IP, address, block, status and time columns are written as they are.
    public static let textColumns: Set<String> = ["proof"]

    /// The original's three statuses.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// A proof was collected.
        case success = "SUCCESS"
        /// The node answered, but without a usable proof.
        case error = "ERROR"
        /// Nothing came back: the host was unreachable or ran out of time.
        case failed = "FAILED"
    }

    /// How a detailed status reads in the original's terms: `ok` → SUCCESS; `rpc_error` and
    /// `not_synced` → ERROR; `timeout` and `unreachable` → FAILED.
    public static func status(for status: ProofStatus) -> Status {
        switch status {
        case .ok: .success
        case .rpcError, .notSynced: .error
        case .timeout, .unreachable: .failed
        }
    }

    /// One row's fields: FAILED rows carry `ERROR,ERROR` as the original's did; ERROR rows
    /// carry the block when one was seen (else `N/A`) and `N/A` for the proof.
    static func fields(_ result: ProofResult) -> [String] {
        let mapped = status(for: result.status)
        let block: String
        let proof: String
        switch mapped {
        case .success:
            block = result.blockNumber.map(String.init) ?? "N/A"
            proof = result.proof ?? "N/A"
        case .error:
            block = result.blockNumber.map(String.init) ?? "N/A"
            proof = "N/A"
        case .failed:
            block = "ERROR"
            proof = "ERROR"
        }
        return [result.address, result.ethAddress, block, proof, mapped.rawValue, ProofReport.timestamp(result.collectedAt)]
    }

    /// The file's text: the header, then one row per result in the order given.
    public static func csv(_ results: [ProofResult]) -> String {
        var writer = CSVWriter(header: header.split(separator: ",").map(String.init), neutralizingFormulasIn: textColumns)
        for result in results { writer.append(fields(result)) }
        return writer.text
    }

    /// Writes the file atomically after keeping a previous one as
    /// `<name>.backup.YYYYMMDD_HHMMSS` (local time of `date`; `_2`, `_3` … when that name is
    /// taken); returns the backup's URL. The backup is a hard link to the old file, so the
    /// old results are never copied in part or lost.
    @discardableResult
    public static func write(_ results: [ProofResult], to url: URL, date: Date,
                             timeZone: TimeZone = .current) throws(AtomicFileError) -> URL? {
        var backup: URL?
        if FileManager.default.fileExists(atPath: url.path) {
            let base = "\(url.lastPathComponent).backup.\(LogTimestamp.compact(for: date, timeZone: timeZone))"
            var target = url.deletingLastPathComponent().appendingPathComponent(base)
            var counter = 2
            while link(url.path, target.path) != 0 {
                guard errno == EEXIST, counter < 1000 else {
                    throw AtomicFileError(path: target.path, operation: "keeping the previous results as a backup failed", code: errno)
                }
                target = url.deletingLastPathComponent().appendingPathComponent("\(base)_\(counter)")
                counter += 1
            }
            backup = target
        }
        try AtomicFile.write(csv(results), to: url)
        return backup
    }

    /// Counts as the original's wrapper made them: total, successful, failed, rate in whole percent.
    public static func counts(_ results: [ProofResult]) -> (total: Int, successful: Int, failed: Int, rate: Int) {
        let successful = results.filter { $0.status == .ok }.count
        let total = results.count
        return (total, successful, total - successful, total == 0 ? 0 : successful * 100 / total)
    }

    /// The summary file's text: the original's eight lines.
    ///
    /// `Generated:` uses the format of the `date` command (`Sun Nov 22 23:25:20 UTC 2026`).
    public static func summary(_ results: [ProofResult], generated: Date, resultsFile: String, logFile: String,
                               timeZone: TimeZone = .current) -> String {
        let count = counts(results)
        return """
            Aztec Proof Collection Summary
            Generated: \(dateCommandFormat(generated, timeZone: timeZone))
            Total servers: \(count.total)
            Successful: \(count.successful)
            Failed: \(count.failed)
            Success rate: \(count.rate)%

            Results file: \(resultsFile)
            Log file: \(logFile)

            """
    }

    /// The block the original printed on the console after a collection.
    public static func consoleSummary(_ results: [ProofResult], resultsFile: String, logFile: String) -> String {
        let count = counts(results)
        let rule = "======================================"
        var lines = [
            rule,
            "Total servers processed: \(count.total)",
            "Successful collections: \(count.successful)",
            "Failed collections: \(count.failed)",
            "Success rate: \(count.rate)%",
            "Results file: \(resultsFile)",
            "Log file: \(logFile)",
            rule,
        ]
        for result in results.filter({ $0.status == .ok }).prefix(3) {
            let proof = result.proof ?? ""
            lines.append("  \(result.address) -> Block: \(result.blockNumber.map(String.init) ?? "N/A"), Proof: \(proof.prefix(20))...")
        }
        for result in results where result.status != .ok {
            lines.append("  \(result.address) -> \(status(for: result.status).rawValue)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `date`'s default output: `Sun Nov 22 23:25:20 UTC 2026` (day of month space-padded).
    static func dateCommandFormat(_ date: Date, timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE MMM"
        let head = formatter.string(from: date)
        formatter.dateFormat = "d"
        let day = formatter.string(from: date)
        formatter.dateFormat = "HH:mm:ss"
        let time = formatter.string(from: date)
        formatter.dateFormat = "yyyy"
        let year = formatter.string(from: date)
        // Foundation calls UTC "GMT"; `date` says UTC.
        let zone = ["UTC", "Etc/UTC", "GMT", "Etc/GMT"].contains(timeZone.identifier) ? "UTC" : (timeZone.abbreviation(for: date) ?? "UTC")
        return "\(head) \(day.count == 1 ? " " + day : day) \(time) \(zone) \(year)"
    }
}
