import FleetKit
import Foundation

extension SanityReport {
    /// The report for people: one row per node, the findings worst first with their
    /// actions, and the verdict. `redact` masks secrets in every line (log examples may
    /// carry URLs with keys).
    public func text(redact: (String) -> String = { $0 }) -> String {
        var text = TextTable.render(headers: ["HOST", "ROLE", "LINES", "ERRORS", "RESTARTS", "BLOCK", "NEW", "LAG", "PROVEN", "READY", "TPS", "POOL", "STATUS"],
                                    rows: hosts.map(Self.row))
        if hosts.contains(where: \.roleInferred) { text += "(* role read from the log; a role given for every node overrides it)\n" }
        let all = findings
        if all.isEmpty {
            text += "\nNo findings.\n"
        } else {
            text += "\nFindings, worst first:\n"
            for finding in all {
                text += "  [\(finding.criticality.rawValue)] \(finding.host ?? "network"): \(finding.event.title): \(Self.printable(finding.summary))\n"
                text += "      action: \(finding.action)\n"
                if let row = finding.row { text += "      matrix: \(row.event)\(row.owners.isEmpty ? "" : " (\(row.owners))")\n" }
                if let example = finding.example { text += "      line: \(Self.printable(example))\n" }
            }
        }
        if let reference, let block = reference.block {
            text += "\nReference: \(reference.source), block \(block)" + (reference.newBlocks.map { ", \($0) new in \(SanityText.seconds(windowSeconds))" } ?? "") + "\n"
        }
        if let throughput { text += "Throughput: \(throughput.phrase)\n" }
        text += "Verdict: \(verdictLine)\n"
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { redact(String($0)) }.joined(separator: "\n")
    }

    /// "network stable; 0 Blocker, 0 Critical, 1 Major, 0 Minor", with the instability
    /// conditions that hold in brackets.
    public var verdictLine: String {
        let all = findings
        let counts = Criticality.allCases.reversed().map { grade in "\(all.filter { $0.criticality == grade }.count) \(grade.rawValue)" }
        let conditions = instability.isEmpty ? "" : " (\(instability.map(\.title).joined(separator: ", ")))"
        return "\(verdict.phrase)\(conditions); \(counts.joined(separator: ", "))"
    }

    /// The verdict to share with the team (a chat message): the verdict line, throughput,
    /// and the findings worst first with their actions, at most `limit` of them; log lines
    /// are left out. `redact` masks secrets; control characters become visible (`^[`).
    public func shareText(limit: Int = 20, redact: (String) -> String = { $0 }) -> String {
        var lines = ["Aztec network sanity check (\(SanityText.time(generated)), \(Plural.count(hosts.count, "node"))): \(verdictLine)"]
        if let throughput { lines.append("Throughput: \(throughput.phrase)") }
        let all = findings
        for finding in all.prefix(limit) {
            lines.append("[\(finding.criticality.rawValue)] \(finding.host ?? "network"): \(finding.event.title): \(finding.summary)")
            lines.append("    action: \(finding.action)")
        }
        if all.count > limit { lines.append("… and \(all.count - limit) more findings in the report") }
        return lines.map { redact(Self.printable($0)) }.joined(separator: "\n") + "\n"
    }

    static func row(_ host: HostSanity) -> [String] {
        let logs = host.observation.logs
        let chain = host.observation.chain
        func number<T: BinaryInteger>(_ value: T?) -> String { value.map { String($0) } ?? "-" }
        let status: String
        if host.findings.isEmpty {
            status = "ok"
        } else {
            status = Criticality.allCases.reversed().compactMap { grade in
                let count = host.findings.filter { $0.criticality == grade }.count
                return count == 0 ? nil : "\(count) \(grade.rawValue)"
            }.joined(separator: ", ")
        }
        return [host.observation.name, host.role.rawValue + (host.roleInferred ? "*" : ""), number(logs?.lines),
                logs.map { String($0.errors.count + $0.fatals.count) } ?? "-", logs == nil && host.observation.container == nil ? "-" : String(host.restarts),
                number(chain?.endBlock), chain?.newBlocks.map { "+\($0)" } ?? "-", number(host.lag), number(chain?.endProven),
                chain?.ready.map { $0 ? "yes" : "no" } ?? "-", host.throughput.map { Throughput.rate($0.transactionsPerSecond) } ?? "-",
                chain?.endPending.map { String($0) } ?? "-", status]
    }

    /// A log line made safe for a terminal: control characters (colour codes) shown as `^[`.
    static func printable(_ line: String) -> String {
        var shown = ""
        for scalar in line.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                shown += "^" + String(Character(Unicode.Scalar(UInt8((scalar.value + 0x40) & 0x7F))))
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }
}
