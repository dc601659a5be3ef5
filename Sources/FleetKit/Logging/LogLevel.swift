/// The kind of a run-log line, as it appears between brackets.
public enum LogLevel: String, Sendable, CaseIterable, Codable {
    /// Detail for people debugging a run; written only in verbose mode.
    case debug = "DEBUG"
    /// Progress worth knowing.
    case info = "INFO"
    /// A check is about to run: "is it already so?"
    case check = "CHECK"
    /// An action is about to change something.
    case exec = "EXEC"
    /// Output of a command, one line per entry.
    case output = "OUTPUT"
    /// Something was done and it worked.
    case ok = "OK"
    /// A whole job (every phase of a deployment) finished well: the run's last good word.
    case success = "SUCCESS"
    /// Nothing to do: already so, or the step's condition does not hold.
    case skip = "SKIP"
    /// Something looks wrong but the run goes on.
    case warn = "WARN"
    /// Something failed.
    case error = "ERROR"

    /// The levels a run's log file keeps: everything, DEBUG only when verbose.
    public static func fileLevels(verbose: Bool) -> Set<LogLevel> {
        verbose ? Set(allCases) : Set(allCases).subtracting([.debug])
    }

    /// ANSI colour used on terminals.
    var ansiColor: String {
        switch self {
        case .debug, .output: return "\u{1B}[2m"
        case .info: return "\u{1B}[36m"
        case .check: return "\u{1B}[34m"
        case .exec: return "\u{1B}[35m"
        case .ok: return "\u{1B}[32m"
        case .success: return "\u{1B}[32;1m"
        case .skip: return "\u{1B}[33m"
        case .warn: return "\u{1B}[33;1m"
        case .error: return "\u{1B}[31;1m"
        }
    }
}
