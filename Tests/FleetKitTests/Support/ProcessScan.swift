import Foundation

/// Looks at the processes of this machine through `/proc`, so tests can check that
/// nothing they started is left running.
enum ProcessScan {
    /// Live processes (zombies excluded) whose command line contains `marker`, other than
    /// this test process, as "pid: command line".
    static func live(containing marker: String) -> [String] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let me = ProcessInfo.processInfo.processIdentifier
        var found: [String] = []
        for entry in entries {
            guard let pid = Int32(entry), pid != me,
                  let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !raw.isEmpty else { continue }
            let commandLine = String(decoding: raw.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            guard commandLine.contains(marker), !isZombie(entry) else { continue }
            found.append("\(pid): \(commandLine)")
        }
        return found
    }

    /// Live children of this test process whose command line contains `marker`.
    static func liveChildren(containing marker: String) -> [String] {
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

/// Checks `condition` every 50 ms until it holds or `limit` has passed; returns whether it
/// held. The limit is generous on purpose: the caller asserts on the state, not the time.
func eventually(within limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
}
