import FleetKit
import Foundation

/// The testnet runbook's post-deployment checks on a session's servers: each node's log
/// streamed over SSH and scanned while its chain is sampled, then classified
/// (`aztec-fleet sanity servers.csv`).
public struct FleetSanityCheck: FleetJob {
    /// What to look at and for how long (the forks and the per-server limit come from the
    /// session when the job runs).
    public var settings: SanityChecker.Settings
    /// How observations become findings.
    public var classifier: SanityClassifier
    /// A node asked from this machine to compare blocks with; `nil` takes the fleet's best.
    public var reference: URL?
    /// Where the JSON report goes; `nil` writes `sanity_report_…json` beside the session's
    /// log file (none without one).
    public var reportFile: URL?
    /// Servers an install report shows failing (``DeploymentFailure/load(contentsOf:)``),
    /// reported as deployment issues.
    public var deployment: [DeploymentFailure]

    /// Creates the job after checking the settings.
    ///
    /// - Throws: ``NodeSettingError`` for a log start that is neither a duration nor a
    ///   date, or a container name that cannot be one.
    public init(settings: SanityChecker.Settings, classifier: SanityClassifier = SanityClassifier(), reference: URL? = nil,
                reportFile: URL? = nil, deployment: [DeploymentFailure] = []) throws(NodeSettingError) {
        _ = try SanitySettingCheck.logSince(settings.since)
        if let container = settings.container, container.isEmpty || container.hasPrefix("-") || container.contains(where: { $0.isWhitespace }) {
            throw NodeSettingError(.container, "'\(TerminalText.quoted(container))' is not a container name")
        }
        self.settings = settings
        self.classifier = classifier
        self.reference = reference
        self.reportFile = reportFile
        self.deployment = deployment
    }

    /// Checks every server and writes the report file.
    ///
    /// - Throws: ``AtomicFileError`` when the report cannot be written.
    public func run(in session: FleetSession) async throws -> SanityRun {
        var settings = settings
        settings.forks = session.options.forks
        settings.perHostTimeout = session.options.defaultTimeout
        let (report, progress) = await SanityChecker(transport: session.transport, runLog: session.runLog, settings: settings, classifier: classifier,
                                                     reference: reference, clock: session.clock)
            .checkTrackingProgress(session.inventory.hosts, deployment: deployment)
        let file = reportFile ?? session.logFile.map { log in
            log.deletingLastPathComponent().appendingPathComponent(
                log.lastPathComponent.replacingOccurrences(of: "sanity_", with: "sanity_report_").replacingOccurrences(of: ".log", with: ".json"))
        }
        var run = try SanityRun(report: report, reportFile: file, redact: session.redact)
        run.progress = progress
        session.runLog.info("report: \(file?.path ?? "none")")
        return run
    }
}

/// The same checks on one node's log read from a file or a pipe, without SSH
/// (`aztec-fleet sanity --log FILE`), optionally with the node's chain sampled meanwhile.
public struct LocalLogSanityCheck: Sendable {
    /// An open file descriptor to read the log from (the caller owns and closes it).
    public var fileDescriptor: Int32
    /// How the log is named in the report ("stdin", the file's name).
    public var name: String
    /// The node's JSON-RPC URL, sampled over ``window`` while the log is read.
    public var node: URL?
    /// Time between the two samples.
    public var window: Duration
    /// The node's role; `nil` reads it from the log.
    public var role: NodeRole?
    /// How observations become findings.
    public var classifier: SanityClassifier
    /// Where the JSON report goes, if anywhere.
    public var reportFile: URL?
    /// Servers an install report shows failing, reported as deployment issues.
    public var deployment: [DeploymentFailure]

    /// Creates the check.
    public init(fileDescriptor: Int32, name: String, node: URL? = nil, window: Duration = .seconds(120), role: NodeRole? = nil,
                classifier: SanityClassifier = SanityClassifier(), reportFile: URL? = nil, deployment: [DeploymentFailure] = []) {
        self.fileDescriptor = fileDescriptor
        self.name = name
        self.node = node
        self.window = window
        self.role = role
        self.classifier = classifier
        self.reportFile = reportFile
        self.deployment = deployment
    }

    /// Scans the log, samples the node and classifies them as one node.
    ///
    /// - Throws: ``LogReadError`` when the log cannot be read; ``AtomicFileError`` when the
    ///   report cannot be written.
    public func run() async throws -> SanityRun {
        async let chain = sample(node)
        let summary = try LogScanner.scan(fileDescriptor: fileDescriptor, name: name, signals: classifier.signals)
        var observation = NodeObservation(name: name, role: role, logs: summary)
        observation.chain = await chain
        let report = classifier.classify([observation], deployment: deployment, windowSeconds: node == nil ? 0 : window.seconds, generated: Date())
        // A provider's URL may carry an API key: only its scheme, host and port are shown.
        let shown = node.map { ($0.absoluteString, URLCredentials.masked($0.absoluteString)) }
        return try SanityRun(report: report, reportFile: reportFile) { text in
            shown.map { text.replacingOccurrences(of: $0.0, with: $0.1) } ?? text
        }
    }

    private func sample(_ url: URL?) async -> ChainProgress? {
        guard let url else { return nil }
        let client = AztecNodeClient(url: url, options: ChainProgressProbe.clientOptions(timeout: .seconds(15)))
        return await ChainProgressProbe(window: window).sample(client)
    }
}

/// A sanity check's outcome: the report, its JSON (secrets masked) and where it was written.
public struct SanityRun: Sendable, FleetKit.ProgressReporting {
    /// The findings and the verdict.
    public var report: SanityReport
    /// The report file written, if any.
    public var reportFile: URL?
    /// The report as JSON, secrets masked.
    public var json: String
    /// The report for people, secrets masked.
    public var text: String
    /// The verdict to share with the team (``SanityReport/shareText(limit:redact:)``), secrets masked.
    public var shareText: String

    /// How far each server's check got (all `done` unless the check was cancelled; empty
    /// for a log read without SSH).
    public var progress: [HostProgressEntry] = []

    /// Whether a Blocker or Critical finding fails the check.
    public var failed: Bool { report.failed }

    /// Servers checked, cut short and not started, for the recap of an interrupted check.
    public func progressLines() -> [String] { progress.progressLines() }

    init(report: SanityReport, reportFile: URL?, redact: (String) -> String) throws {
        self.report = report
        self.reportFile = reportFile
        json = redact(String(decoding: try JSONEncoder.report().encode(report), as: UTF8.self)) + "\n"
        text = report.text(redact: redact)
        shareText = report.shareText(redact: redact)
        if let reportFile { try AtomicFile.write(json, to: reportFile) }
    }
}

/// Checks of the values sanity takes as text.
public enum SanitySettingCheck {
    /// `text` as `docker logs --since` takes it: a duration (90m, 1h30m) or a date
    /// (2026-01-05, 2026-01-05T12:00:00Z).
    public static func logSince(_ text: String) throws(NodeSettingError) -> String {
        let isDate = text.range(of: #"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$"#, options: .regularExpression) != nil
        guard isDate || (DurationText.parse(text) != nil && Int(text) == nil) else {
            throw NodeSettingError(.logSince, "'\(TerminalText.quoted(text))' is neither a duration (90m, 1h) nor a date (2026-01-05T12:00:00Z)")
        }
        return text
    }

    /// `text` as the time between two chain samples: a duration of at most an hour.
    public static func sampleWindow(_ text: String) throws(NodeSettingError) -> Duration {
        guard let window = DurationText.parse(text), window <= .seconds(3600) else {
            throw NodeSettingError(.sampleWindow, "'\(TerminalText.quoted(text))' is not a duration of at most an hour (120s, 2m, 0)")
        }
        return window
    }

    /// `text` as a minimum of transactions per second: a number of at least 0 (0.5, 2).
    public static func transactionsPerSecond(_ text: String) throws(NodeSettingError) -> Double {
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw NodeSettingError(.transactionsPerSecond, "'\(TerminalText.quoted(text))' is not a number of transactions per second (0.5, 2)")
        }
        return value
    }

    /// `text` as a node role (any case).
    public static func role(_ text: String) throws(NodeSettingError) -> NodeRole {
        guard let role = NodeRole(rawValue: text.lowercased()) else {
            throw NodeSettingError(.role, "'\(TerminalText.quoted(text))' is not a role; expected validator, prover or bot")
        }
        return role
    }

    /// The built-in signal table with the signals of `file` added (or replacing by id).
    public static func signals(adding file: URL?) throws -> LogSignalTable {
        guard let file else { return .aztec }
        return LogSignalTable.aztec.merging(try LogSignalTable.load(contentsOf: file))
    }
}
