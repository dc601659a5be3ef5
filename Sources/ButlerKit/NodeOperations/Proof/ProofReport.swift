import FleetKit
import Foundation

/// The files and text made from proof results: the CSV, the summary and JSON.
public enum ProofReport {
    /// The CSV columns, in order.
    public static let columns = ["name", "address", "eth_address", "status", "block_number", "proof", "collected_at", "error"]

    /// The free-text columns whose cells are neutralised against spreadsheet formulas
    /// (``CSVWriter``); the address, number, status and time columns are written as they are.
    public static let textColumns: Set<String> = ["name", "proof", "error"]

    /// The results as CSV text.
    public static func csv(_ results: [ProofResult]) -> String {
        var writer = CSVWriter(header: columns, neutralizingFormulasIn: textColumns)
        for result in results {
            writer.append([
                result.name, result.address, result.ethAddress, result.status.rawValue,
                result.blockNumber.map(String.init) ?? "", result.proof ?? "", timestamp(result.collectedAt), result.error ?? "",
            ])
        }
        return writer.text
    }

    /// Writes the CSV atomically: readers see the old file or the new one, never a part.
    public static func writeCSV(_ results: [ProofResult], to url: URL) throws(AtomicFileError) {
        try AtomicFile.write(csv(results), to: url)
    }

    /// The summary: totals, count per status, success rate, duration and the slowest hosts.
    public static func summary(_ results: [ProofResult], duration: Double, startedAt: Date, slowest: Int = 5) -> String {
        let ok = results.filter { $0.status == .ok }.count
        let rate = results.isEmpty ? 0 : Double(ok) * 100 / Double(results.count)
        var lines = [
            "Proof collection summary",
            "started:      \(timestamp(startedAt))",
            "duration:     \(String(format: "%.1f", duration)) s",
            "hosts:        \(results.count)",
            "success rate: \(String(format: "%.1f", rate))% (\(ok) of \(results.count))",
            "",
            "by status:",
        ]
        for status in ProofStatus.allCases {
            lines.append("  \(status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(results.filter { $0.status == status }.count)")
        }
        lines += ["", "slowest hosts:"]
        for result in results.sorted(by: { $0.duration > $1.duration }).prefix(slowest) {
            lines.append("  \(result.name) (\(result.address)): \(String(format: "%.2f", result.duration)) s, \(result.status.rawValue)")
        }
        let failed = results.filter { $0.status != .ok }
        if !failed.isEmpty {
            lines += ["", "hosts without a proof:"]
            for result in failed { lines.append("  \(result.name): \(result.status.rawValue): \(result.error ?? "")") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The results as pretty JSON with sorted keys and ISO-8601 dates.
    public static func json(_ results: [ProofResult]) throws -> Data {
        try JSONEncoder.report().encode(results)
    }

    /// ISO-8601 UTC, seconds precision: `2026-01-02T03:04:05Z`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
