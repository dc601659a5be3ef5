import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

/// The three line layouts, and that the file and console sinks use the one they are given.
@Suite(.tags(.unit)) struct LogLineFormatTests {
    let utc = TimeZone(secondsFromGMT: 0) ?? .current
    let entry = LogEntry(date: Date(timeIntervalSince1970: 1_795_030_620), level: .skip, host: "node", message: "Volume already formatted")

    @Test func layouts() {
        #expect(LogLineFormat.timestampLevelHost.line(entry, timeZone: utc) == "[2026-11-18 19:37:00] [SKIP] [node] Volume already formatted")
        #expect(LogLineFormat.timestampLevel.line(entry, timeZone: utc) == "[2026-11-18 19:37:00] [SKIP] Volume already formatted")
        #expect(LogLineFormat.level.line(entry, timeZone: utc) == "[SKIP] Volume already formatted")
    }

    @Test func sinksUseTheirFormat() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("format-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.log")
        let file = try FileLogSink(url: url, timeZone: utc, format: .timestampLevel)
        let lines = Locked<[String]>([])
        let console = ConsoleLogSink(levels: [.skip], colored: false, timeZone: utc, format: .level) { line in lines.withLock { $0.append(line) } }
        file.write(entry)
        console.write(entry)
        #expect(try String(contentsOf: url, encoding: .utf8) == "[2026-11-18 19:37:00] [SKIP] Volume already formatted\n")
        #expect(lines.withLock { $0 } == ["[SKIP] Volume already formatted"])
    }
}
