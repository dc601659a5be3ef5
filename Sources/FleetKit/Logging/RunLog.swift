import Foundation

/// The log of one run: every line is redacted once, then handed to every sink.
///
/// Libraries receive a `RunLog` from the executable and never create one of their own.
public final class RunLog: Sendable {
    /// The masks applied to every line.
    public let redactor: Redactor
    private let sinks: [any LogSink]
    private let clock: any FleetClock

    /// Creates a log writing to `sinks`.
    public init(sinks: [any LogSink], redactor: Redactor = Redactor(), clock: any FleetClock = SystemClock()) {
        self.sinks = sinks
        self.redactor = redactor
        self.clock = clock
    }

    /// A log that drops everything.
    public static var discarding: RunLog { RunLog(sinks: []) }

    /// A log to the console only, in one call: what a small tool or a script needs.
    ///
    /// Lines go to standard error; `verbose` adds DEBUG lines and command output. Colour is
    /// the caller's choice (``shouldColorConsole(isTerminal:environment:)`` decides it the
    /// way the tools do), since a library never reads the environment on its own.
    public static func console(verbose: Bool = false, colored: Bool = false) -> RunLog {
        let sink = ConsoleLogSink(levels: ConsoleLogSink.defaultLevels(verbose: verbose), colored: colored) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        return RunLog(sinks: [sink])
    }

    /// A log writing to this log's sinks and `extraSinks`, sharing its redactor and clock:
    /// secrets registered with either are masked in both.
    public func adding(_ extraSinks: [any LogSink]) -> RunLog {
        RunLog(sinks: sinks + extraSinks, redactor: redactor, clock: clock)
    }

    /// Registers secrets; from now on they are masked in every sink.
    public func addSecrets(_ values: [String]) { redactor.add(values) }

    /// Writes one line; a multi-line message becomes one entry per line.
    public func log(_ level: LogLevel, host: String? = nil, _ message: String) {
        let date = clock.now()
        let clean = redactor.redact(message)
        for line in clean.split(separator: "\n", omittingEmptySubsequences: false) {
            let entry = LogEntry(date: date, level: level, host: host, message: String(line))
            for sink in sinks { sink.write(entry) }
        }
    }

    /// Writes a command's output as OUTPUT lines, dropping a trailing empty line.
    public func output(host: String?, _ text: String) {
        var body = Substring(text)
        while body.hasSuffix("\n") { body = body.dropLast() }
        guard !body.isEmpty else { return }
        log(.output, host: host, String(body))
    }

    /// Shorthand for an INFO line.
    public func info(_ message: String, host: String? = nil) { log(.info, host: host, message) }
    /// Shorthand for a WARN line.
    public func warn(_ message: String, host: String? = nil) { log(.warn, host: host, message) }
    /// Shorthand for an ERROR line.
    public func error(_ message: String, host: String? = nil) { log(.error, host: host, message) }
    /// Shorthand for a DEBUG line.
    public func debug(_ message: String, host: String? = nil) { log(.debug, host: host, message) }
}

/// Names and creates per-run log files: `logs/<name>_YYYYMMDD_HHMMSS.log`.
public enum RunLogFile {
    /// The file name for a run called `name` started at `date`.
    public static func fileName(name: String, date: Date, timeZone: TimeZone = .current) -> String {
        "\(name)_\(LogTimestamp.compact(for: date, timeZone: timeZone)).log"
    }

    /// A path in `directory` for a new run log, creating the folder; when a file of that
    /// name exists already (two runs in one second) a counter is added: `_2`, `_3` …
    public static func newURL(in directory: URL, name: String, date: Date, timeZone: TimeZone = .current) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let base = "\(name)_\(LogTimestamp.compact(for: date, timeZone: timeZone))"
        var candidate = directory.appendingPathComponent(base + ".log")
        var counter = 2
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = directory.appendingPathComponent("\(base)_\(counter).log")
            counter += 1
        }
        return candidate
    }
}
