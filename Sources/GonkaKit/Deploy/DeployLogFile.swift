import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The original's log files: `logs/<KEY_NAME>_YYYY-MM-DD_HH-MM-SS.log` and the relative
/// symlink `logs/<KEY_NAME>_latest.log` pointing at the newest one.
public enum DeployLogFile {
    /// `<KEY_NAME>_YYYY-MM-DD_HH-MM-SS.log` for a run started at `date`.
    public static func fileName(keyName: String, date: Date, timeZone: TimeZone = .current) -> String {
        let stamp = LogTimestamp.string(for: date, timeZone: timeZone)
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: ":", with: "-")
        return "\(keyName)_\(stamp).log"
    }

    /// `<KEY_NAME>_latest.log`.
    public static func latestLinkName(keyName: String) -> String { "\(keyName)_latest.log" }

    /// Creates `directory` when missing (the original's fresh clone has no `logs/`), the
    /// run's log file (mode 0640; appended to if a run of the same second made it) and
    /// points the `_latest.log` link at it, replacing the old link in one rename.
    /// Returns the log file's URL.
    public static func create(in directory: URL, keyName: String, date: Date, timeZone: TimeZone = .current) throws(AtomicFileError) -> URL {
        try AtomicFile.createDirectory(directory, mode: 0o755)
        let name = fileName(keyName: keyName, date: date, timeZone: timeZone)
        let url = directory.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path),
           !FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o640]) {
            throw AtomicFileError(path: url.path, operation: "create", code: errno)
        }
        let link = directory.appendingPathComponent(latestLinkName(keyName: keyName)).path
        let temporary = directory.appendingPathComponent(".\(latestLinkName(keyName: keyName)).\(getpid())").path
        unlink(temporary)
        guard symlink(name, temporary) == 0 else { throw AtomicFileError(path: temporary, operation: "symlink", code: errno) }
        guard rename(temporary, link) == 0 else {
            let code = errno
            unlink(temporary)
            throw AtomicFileError(path: link, operation: "rename", code: code)
        }
        return url
    }
}
