import Foundation

/// Looks at the processes of this machine through `/proc` (Linux), so tests can check that
/// nothing they started is left running, or that a secret never appears in any command line.
public enum ProcessScan {
    /// Live processes (zombies excluded) whose command line contains `marker`, other than
    /// the calling process, as "pid: command line".
    public static func live(containing marker: String) -> [String] {
        live(containingAnyOf: [marker])
    }

    /// Live processes whose command line contains any of `markers`, in one pass over `/proc`
    /// (for sampling often, as tests that watch for secrets in command lines do).
    public static func live(containingAnyOf markers: [String]) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let me = ProcessInfo.processInfo.processIdentifier
        var found: [String] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != me,
                  let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !raw.isEmpty else { continue }
            let commandLine = String(decoding: raw.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            guard markers.contains(where: { commandLine.contains($0) }), !isZombie(entry) else { continue }
            found.append("\(pid): \(commandLine)")
        }
        return found
    }

    /// Live children of the calling process whose command line contains `marker`.
    public static func liveChildren(containing marker: String) -> [String] {
        let me = ProcessInfo.processInfo.processIdentifier
        return live(containing: marker).filter { line in
            guard let pid = line.split(separator: ":").first,
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == me
        }
    }

    private static func isZombie(_ pid: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state == "Z" || state == "X"
    }
}

