import Foundation

/// Appends one line per step to an audit log on each server: time, stage, step and
/// outcome. Never values, so never secrets.
public struct ServerAuditLog: Sendable {
    /// The audit log's path on the servers (relative paths are under the SSH user's home).
    public var path: String

    /// Creates the audit writer for `path` on every server.
    public init(path: String) {
        self.path = path
    }

    /// The lines for one host's report: `2026-01-02T03:04:05Z stage=prepare step="base packages" outcome=changed`.
    public static func lines(for report: HostReport, stage: String, at date: Date) -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        let stageName = stage.replacingOccurrences(of: " ", with: "_")
        return report.steps.map { step in
            let name = step.name.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\n", with: " ")
            return "\(stamp) stage=\(stageName) step=\"\(name)\" outcome=\(step.outcome.rawValue)\n"
        }.joined()
    }

    /// Appends the lines of every host of `report` that was reached, at most `forks` hosts
    /// at a time; a server where the write fails gets a WARN in `runLog`, nothing more.
    public func record(_ report: RunReport, stage: String, hosts: [RemoteHost], transport: any Transport,
                       forks: Int, runLog: RunLog, date: Date) async {
        let byName = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let target = ShellQuote.quote(path)
        let work = report.hosts.compactMap { hostReport -> (RemoteHost, String)? in
            guard hostReport.status != .unreachable, !hostReport.steps.isEmpty, let host = byName[hostReport.host] else { return nil }
            return (host, Self.lines(for: hostReport, stage: stage, at: date))
        }
        _ = await Concurrently.map(work, limit: forks) { host, text in
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
