import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of a run log, already redacted.
public struct LogEntry: Sendable {
    /// When it was logged.
    public var date: Date
    /// Its kind.
    public var level: LogLevel
    /// The host it is about, or `nil` for the run as a whole (shown as `local`).
    public var host: String?
    /// The text, with every known secret masked.
    public var message: String

    /// The line as written to files: `[YYYY-MM-DD HH:MM:SS] [LEVEL] [host] message`.
    public func formatted(timeZone: TimeZone) -> String {
        "[\(LogTimestamp.string(for: date, timeZone: timeZone))] [\(level.rawValue)] [\(host ?? "local")] \(message)"
    }
}

/// Formats dates for log lines and log file names without `DateFormatter`.
public enum LogTimestamp {
    /// `YYYY-MM-DD HH:MM:SS` in `timeZone`.
    public static func string(for date: Date, timeZone: TimeZone) -> String {
        let c = components(of: date, timeZone: timeZone)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// `YYYYMMDD_HHMMSS` in `timeZone`, as used in log file names.
    public static func compact(for date: Date, timeZone: TimeZone) -> String {
        let c = components(of: date, timeZone: timeZone)
        return String(format: "%04d%02d%02d_%02d%02d%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// ISO-8601 in UTC with a `Z`, e.g. `2026-11-22T19:40:00Z`.
    public static func iso8601(for date: Date) -> String {
        let c = components(of: date, timeZone: TimeZone(secondsFromGMT: 0) ?? .current)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    private static func components(of date: Date, timeZone: TimeZone) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let shifted = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        var time = time_t(shifted)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
