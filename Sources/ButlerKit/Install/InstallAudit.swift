import FleetKit
import Foundation

/// Appends one line per step to an audit log on each server: time, stage, step and outcome —
/// never values, so never secrets.
public struct InstallAudit: Sendable {
    /// How commands reach hosts.
    public var transport: any Transport
    /// Where failures to write the audit go.
    public var runLog: RunLog
    /// The audit log's path on the servers (relative to the SSH user's home).
    public var path: String
    /// Time source of the timestamps.
    public var clock: any FleetClock

    /// Creates the audit writer.
    public init(transport: any Transport, runLog: RunLog, path: String, clock: any FleetClock = SystemClock()) {
        self.transport = transport
        self.runLog = runLog
        self.path = path
        self.clock = clock
    }

    /// The lines for one host's report: `2026-01-02T03:04:05Z stage=prepare step="base packages" outcome=changed`.
    public static func lines(for report: HostReport, stage: InstallStage, at date: Date) -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        return report.steps.map { step in
            let name = step.name.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\n", with: " ")
            return "\(stamp) stage=\(stage.rawValue) step=\"\(name)\" outcome=\(step.outcome.rawValue)\n"
        }.joined()
    }

    /// Appends the lines of every reachable host of `report`, in parallel.
    public func record(_ report: RunReport, stage: InstallStage, hosts: [RemoteHost]) async {
        let byName = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let date = clock.now()
        let target = ShellQuote.quote(path)
        await withTaskGroup(of: Void.self) { group in
            for hostReport in report.hosts where hostReport.status != .unreachable && !hostReport.steps.isEmpty {
                guard let host = byName[hostReport.host] else { continue }
                let text = Self.lines(for: hostReport, stage: stage, at: date)
                group.addTask {
                    let script = "umask 077; mkdir -p -- \"$(dirname -- \(target))\" && cat >> \(target)"
                    do {
                        let result = try await transport.run(RemoteCommand(script, standardInput: Data(text.utf8), timeout: .seconds(30)), on: host)
                        if !result.succeeded { runLog.warn("audit log not written: \(result.summary)", host: host.name) }
                    } catch {
                        runLog.warn("audit log not written: \(error)", host: host.name)
                    }
                }
            }
        }
    }
}
