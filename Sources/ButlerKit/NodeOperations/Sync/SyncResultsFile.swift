import FleetKit
import Foundation

/// The original toolkit's `sync_results.csv` and its summary block.
///
/// Deliberate differences: `raw_output` is always one properly quoted CSV field (the
/// original doubled quotes by hand), every host has a row, unreachable ones as `ERROR`,
/// and the summary counts rows, not physical lines.
public enum SyncResultsFile {
    /// The header line, exactly as the original wrote it.
    public static let header = "ip,hostname,local_block,remote_block,sync_status,port,timestamp,raw_output"

    /// The file name the original used.
    public static let defaultFileName = "sync_results.csv"

    /// The free-text columns whose cells are neutralised against spreadsheet formulas
    /// (``CSVWriter``); the numeric, status and IP columns are written as they are.
    public static let textColumns: Set<String> = ["hostname", "raw_output"]

    /// The file's text: the header, then one row per result in the order given.
    public static func csv(_ results: [SyncResult]) -> String {
        var writer = CSVWriter(header: header.split(separator: ",").map(String.init), neutralizingFormulasIn: textColumns)
        for result in results {
            writer.append([
                result.address, result.name, result.localBlock.map(String.init) ?? "N/A", result.remoteBlock.map(String.init) ?? "N/A",
                result.status.rawValue, result.port.map(String.init) ?? "N/A", ProofReport.timestamp(result.checkedAt), result.rawOutput,
            ])
        }
        return writer.text
    }

    /// Writes the file atomically.
    public static func write(_ results: [SyncResult], to url: URL) throws(AtomicFileError) {
        try AtomicFile.write(csv(results), to: url)
    }

    /// The summary block printed after a check, with the original's labels.
    public static func summary(_ results: [SyncResult], duration: Double) -> String {
        func count(_ status: SyncStatus) -> Int { results.filter { $0.status == status }.count }
        let synced = count(.synced)
        let rate = results.isEmpty ? 0 : synced * 100 / results.count
        let rule = "=========================================="
        var lines = [
            rule,
            "AZTEC SYNC CHECK SUMMARY",
            rule,
            "Total servers checked: \(results.count)",
            "✅ Fully synced: \(synced)",
            "⏳ Still syncing: \(count(.syncing))",
            "❌ No node found: \(count(.noNode))",
            "🚫 RPC errors: \(count(.rpcError))",
            "⏰ Timeouts: \(count(.timeout))",
            "💥 Other errors: \(count(.error))",
            "Success rate: \(rate)%",
        ]
        func section(_ title: String, _ status: SyncStatus, _ detail: (SyncResult) -> String) {
            let matching = results.filter { $0.status == status }
            guard !matching.isEmpty else { return }
            lines += ["", title]
            lines += matching.map { "  \($0.address) (\($0.name))\(detail($0))" }
        }
        section("Synced:", .synced) { " - Block: \($0.localBlock.map(String.init) ?? "N/A")" }
        section("Still syncing:", .syncing) { " - \($0.localBlock.map(String.init) ?? "N/A")/\($0.remoteBlock.map(String.init) ?? "N/A")" }
        section("No node running:", .noNode) { _ in "" }
        section("RPC errors:", .rpcError) { _ in "" }
        section("Timeouts:", .timeout) { _ in "" }
        section("Other errors:", .error) { _ in "" }
        lines += ["", "Duration: \(String(format: "%.1f", duration)) s", rule]
        return lines.joined(separator: "\n") + "\n"
    }
}
