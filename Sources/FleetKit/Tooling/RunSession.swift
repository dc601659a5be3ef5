import Foundation

/// The log of one tool run: a file `logs/<name>_YYYYMMDD_HHMMSS.log` plus the console.
public struct RunSession: Sendable {
    /// The log every part of the run writes to.
    public let runLog: RunLog
    /// The run's log file.
    public let logFile: URL

    /// Opens the log file and the console sink.
    ///
    /// - Parameters:
    ///   - name: the run's name, the log file's prefix (`prepare`, `proof_collection` …).
    ///   - consoleLevels: levels shown on the console; the file gets everything but DEBUG
    ///     unless `verbose`.
    ///   - colored: whether the console is a terminal without `NO_COLOR`.
    ///   - emit: writes one console line (the executable passes a writer for stderr or stdout).
    public static func open(name: String, logDirectory: URL, verbose: Bool, consoleLevels: Set<LogLevel>, colored: Bool,
                            clock: any FleetClock = SystemClock(), emit: @escaping @Sendable (String) -> Void) throws -> RunSession {
        let url = try RunLogFile.newURL(in: logDirectory, name: name, date: clock.now())
        let file = try FileLogSink(url: url, levels: LogLevel.fileLevels(verbose: verbose))
        let console = ConsoleLogSink(levels: consoleLevels, colored: colored, emit: emit)
        return RunSession(runLog: RunLog(sinks: [file, console], clock: clock), logFile: url)
    }
}

/// Whether to colour console output: only on a terminal, and never with `NO_COLOR` set.
public func shouldColorConsole(isTerminal: Bool, environment: [String: String]) -> Bool {
    isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
}
