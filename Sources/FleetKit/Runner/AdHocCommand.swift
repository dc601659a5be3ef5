import Foundation

/// One shell command line on every host of a session, output kept per host (`fleet run`).
public struct AdHocCommandJob: FleetJob {
    /// The command line, run by `sh -c` on each host.
    public var command: String

    /// Creates the job.
    ///
    /// - Throws: ``AdHocCommandError`` when the command line is empty.
    public init(_ command: String) throws(AdHocCommandError) {
        guard !command.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw AdHocCommandError() }
        self.command = command
    }

    /// Runs the command on every host, the session's forks at a time.
    public func run(in session: FleetSession) async -> RunReport {
        await AdHocCommand.run(command, on: session.inventory.hosts, transport: session.transport, runLog: session.runLog,
                               options: session.options)
    }
}

/// The command line to run on the hosts is empty.
public struct AdHocCommandError: Error, Sendable, CustomStringConvertible {
    /// "the command to run on the hosts is empty".
    public var description: String { "the command to run on the hosts is empty" }
}

/// `fleet run`: one shell command on every host, output kept per host.
public enum AdHocCommand {
    /// Runs `command` (a shell command line) on every host and returns the run report;
    /// each host's single step carries the command's result.
    public static func run(_ command: String, on hosts: [RemoteHost], transport: any Transport, runLog: RunLog,
                           options: RunOptions) async -> RunReport {
        let step = Step("command", action: .shell(command))
        return await PlaybookRunner(transport: transport, runLog: runLog, options: options)
            .run(Playbook("run", steps: [step]), on: hosts)
    }

    /// The output grouped per host, for people:
    /// a `== name (address): exit 0 in 0.05 s` header, then stdout, then stderr.
    ///
    /// Everything from the hosts passes ``TerminalText``: the output keeps its newlines and
    /// tabs, other control characters, escape sequences and bidi controls are shown as
    /// `\u{…}`; colour (SGR) sequences stay only with `keepingColor`.
    public static func groupedOutput(_ report: RunReport, keepingColor: Bool = false) -> String {
        func shown(_ output: String) -> String { TerminalText.escaped(output, keepingLines: true, keepingColor: keepingColor) }
        var text = ""
        for host in report.hosts {
            let step = host.steps.first
            let header: String
            switch (host.status, step?.result) {
            case (_, let result?):
                header = "\(result.summary) in \(String(format: "%.2f", result.duration)) s"
            case (.unreachable, nil):
                header = "UNREACHABLE: \(TerminalText.escaped(host.message ?? ""))"
            default:
                header = TerminalText.escaped(host.message ?? host.status.rawValue)
            }
            text += "== \(TerminalText.escaped(host.host)) (\(TerminalText.escaped(host.address))): \(header)\n"
            if let result = step?.result {
                text += shown(result.standardOutput)
                if !result.standardOutput.isEmpty && !result.standardOutput.hasSuffix("\n") { text += "\n" }
                if !result.standardError.isEmpty {
                    text += shown(result.standardError)
                    if !result.standardError.hasSuffix("\n") { text += "\n" }
                }
            }
        }
        return text
    }
}
