import Foundation

/// Where a session's run log goes: a log the caller already has, or a new file
/// `<folder>/<name>_YYYYMMDD_HHMMSS.log` plus an optional console.
public struct RunLogDestination: Sendable {
    enum Kind: Sendable {
        case existing(RunLog)
        case file(name: String, directory: URL, verbose: Bool, console: ConsoleLogSink?)
    }

    let kind: Kind

    /// Lines go to `runLog` as it is (tests pass a ``RunLog`` over an in-memory sink).
    public static func log(_ runLog: RunLog) -> RunLogDestination { RunLogDestination(kind: .existing(runLog)) }

    /// A new log file in `directory` named after the job (`prepare`, `proof_collection` …;
    /// `_2`, `_3` … when one of that second exists), every level but DEBUG unless
    /// `verbose`, and the `console` sink when given.
    public static func file(name: String, in directory: URL, verbose: Bool = false, console: ConsoleLogSink? = nil) -> RunLogDestination {
        RunLogDestination(kind: .file(name: name, directory: directory, verbose: verbose, console: console))
    }

    /// The levels a log file of this destination records (DEBUG only when verbose).
    var fileLevels: Set<LogLevel> {
        switch kind {
        case .existing: return LogLevel.fileLevels(verbose: false)
        case .file(_, _, let verbose, _): return LogLevel.fileLevels(verbose: verbose)
        }
    }

    /// Opens the destination: the run log and the file it writes, if any (a session does
    /// this itself; jobs without hosts call it directly).
    ///
    /// - Throws: an error when the log folder or file cannot be created.
    public func open(clock: any FleetClock = SystemClock()) throws -> (runLog: RunLog, file: URL?) {
        switch kind {
        case .existing(let log):
            return (log, nil)
        case .file(let name, let directory, _, let console):
            let url = try RunLogFile.newURL(in: directory, name: name, date: clock.now())
            let file = try FileLogSink(url: url, levels: fileLevels)
            return (RunLog(sinks: [file] + (console.map { [$0] } ?? []), clock: clock), url)
        }
    }
}

/// Whether to colour console output: only on a terminal, and never with `NO_COLOR` set.
public func shouldColorConsole(isTerminal: Bool, environment: [String: String]) -> Bool {
    isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
}

