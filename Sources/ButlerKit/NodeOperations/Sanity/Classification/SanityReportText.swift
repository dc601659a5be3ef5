import FleetKit
import Foundation

extension SanityReport {
    /// The report for people: one row per node, the findings worst first with their
    /// actions, and the verdict. `redact` masks secrets in every line (log examples may
    /// carry URLs with keys).
    public func text(redact: (String) -> String = { $0 }) -> String {
        var text = TextTable.render(headers: ["HOST", "ROLE", "LINES", "ERRORS", "RESTARTS", "BLOCK", "NEW", "LAG", "PROVEN", "READY", "STATUS"],
                                    rows: hosts.map(Self.row))
        if hosts.contains(where: \.roleInferred) { text += "(* role read from the log; a role given for every node overrides it)\n" }
        let all = findings
        if all.isEmpty {
            text += "\nNo findings.\n"
        } else {
            text += "\nFindings, worst first:\n"
            for finding in all {
                text += "  [\(finding.criticality.rawValue)] \(finding.host ?? "network"): \(finding.event.title): \(finding.summary)\n"
                text += "      action: \(finding.action)\n"
                if let example = finding.example { text += "      line: \(Self.printable(example))\n" }
            }
        }
        if let reference, let block = reference.block {
            text += "\nReference: \(reference.source), block \(block)" + (reference.newBlocks.map { ", \($0) new in \(SanityText.seconds(windowSeconds))" } ?? "") + "\n"
        }
        let counts = Criticality.allCases.reversed().map { grade in "\(all.filter { $0.criticality == grade }.count) \(grade.rawValue)" }
        let conditions = instability.isEmpty ? "" : " (\(instability.map(\.title).joined(separator: ", ")))"
        text += "Verdict: \(verdict.phrase)\(conditions); \(counts.joined(separator: ", "))\n"
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { redact(String($0)) }.joined(separator: "\n")
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
                chain?.ready.map { $0 ? "yes" : "no" } ?? "-", status]
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
