import Foundation

/// How a sink lays out one log line. Tools that replace a script keep the script's layout,
/// so operators' greps and habits keep working.
public enum LogLineFormat: Sendable, Equatable {
    /// `[YYYY-MM-DD HH:MM:SS] [LEVEL] [host] message`, the fleet tools' layout (`local` for no host).
    case timestampLevelHost
    /// `[YYYY-MM-DD HH:MM:SS] [LEVEL] message`: a single-server script's log file, where a host column says nothing.
    case timestampLevel
    /// `[LEVEL] message`: a single-server script's console.
    case level

    /// The entry laid out in this format, times in `timeZone`.
    public func line(_ entry: LogEntry, timeZone: TimeZone) -> String {
        switch self {
        case .timestampLevelHost: entry.formatted(timeZone: timeZone)
        case .timestampLevel: "[\(LogTimestamp.string(for: entry.date, timeZone: timeZone))] [\(entry.level.rawValue)] \(entry.message)"
        case .level: "[\(entry.level.rawValue)] \(entry.message)"
        }
    }
}
