import FleetKit
import Foundation

/// A server an install run left failing: the runbook's "deployment issues", read from the
/// JSON report `aztec-fleet install --json` (or one stage's) printed.
public struct DeploymentFailure: Sendable, Codable, Equatable {
    /// The server's name.
    public var host: String
    /// What happened, as the install recap says it ("failed in aztec: …", "unreachable: …").
    public var summary: String

    /// Creates a failure.
    public init(host: String, summary: String) {
        self.host = host
        self.summary = summary
    }

    /// The servers of `report` that did not pass every stage, in its order: unreachable,
    /// refused, failed or stopped in a stage, or never reaching the last one.
    public static func failures(in report: StagedRunReport) -> [DeploymentFailure] {
        report.hostNames.compactMap { name in
            if let missing = report.unreachable.first(where: { $0.host == name }) {
                return DeploymentFailure(host: name, summary: "install: unreachable: \(missing.reason)")
            }
            if let left = report.excluded.first(where: { $0.host == name }) {
                return left.isFailure ? DeploymentFailure(host: name, summary: "install: refused: \(left.reason)") : nil
            }
            guard let stage = report.stages.last(where: { $0.report.hosts.contains { $0.host == name } }),
                  let last = stage.report.hosts.first(where: { $0.host == name }) else {
                return DeploymentFailure(host: name, summary: "install: not run")
            }
            let reachedAll = report.stages.allSatisfy { $0.report.hosts.contains { $0.host == name } }
            if last.status == .succeeded && reachedAll { return nil }
            let status = last.status == .succeeded ? "stopped after" : "\(last.status.rawValue) in"
            return DeploymentFailure(host: name, summary: "install: \(status) \(stage.stage)" + (last.message.map { ": \($0)" } ?? ""))
        }
    }

    /// The largest install report read (64 MiB: a report carries each step's output tail).
    public static let maximumFileSize = 64 * BoundedFile.mebibyte

    /// Reads the failures of an install report file.
    ///
    /// - Throws: ``InstallReportError`` naming the file and what is wrong.
    public static func load(contentsOf url: URL) throws(InstallReportError) -> [DeploymentFailure] {
        let data: Data
        do {
            data = try BoundedFile.read(url, limit: maximumFileSize)
        } catch {
            throw InstallReportError(file: url.path, message: "cannot read the file: \(error.reasonText)")
        }
        do {
            return failures(in: try JSONDecoder().decode(StagedRunReport.self, from: data))
        } catch let DecodingError.keyNotFound(key, context) {
            throw InstallReportError(file: url.path, message: "not an install report (the JSON report of an install run): \(Self.path(context.codingPath + [key])) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw InstallReportError(file: url.path, message: "not an install report (the JSON report of an install run): \(Self.path(context.codingPath)) has the wrong type")
        } catch {
            throw InstallReportError(file: url.path, message: "not JSON: an install report is the JSON report of an install run")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
}

/// An install report that cannot be read.
public struct InstallReportError: Error, Sendable, Equatable, CustomStringConvertible, InputError {
    /// The file.
    public var file: String
    /// What is wrong.
    public var message: String

    /// "file: message", control characters shown as `\u{…}`.
    public var description: String { TerminalText.escaped("\(file): \(message)") }
}
