import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit
import FleetKitTesting

@Suite(.tags(.unit)) struct RunLogTests {
    let utc = TimeZone(secondsFromGMT: 0) ?? .current
    let date = Date(timeIntervalSince1970: 1_795_030_620) // 2026-11-18 19:37:00 UTC

    @Test func lineFormat() {
        let entry = LogEntry(date: date, level: .check, host: "web-1", message: "Checking SSH connectivity...")
        #expect(entry.formatted(timeZone: utc) == "[2026-11-18 19:37:00] [CHECK] [web-1] Checking SSH connectivity...")
        let local = LogEntry(date: date, level: .info, host: nil, message: "start")
        #expect(local.formatted(timeZone: utc) == "[2026-11-18 19:37:00] [INFO] [local] start")
    }

    @Test func logFileNaming() throws {
        #expect(RunLogFile.fileName(name: "prepare", date: date, timeZone: utc) == "prepare_20261118_193700.log")
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("logs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try RunLogFile.newURL(in: folder, name: "proof_collection", date: date, timeZone: utc)
        #expect(first.lastPathComponent == "proof_collection_20261118_193700.log")
        #expect(FileManager.default.createFile(atPath: first.path, contents: nil))
        let second = try RunLogFile.newURL(in: folder, name: "proof_collection", date: date, timeZone: utc)
        #expect(second.lastPathComponent == "proof_collection_20261118_193700_2.log")
        #expect(LogTimestamp.iso8601(for: date) == "2026-11-18T19:37:00Z")
    }

    @Test func redactorMasksEverySecretForm() {
        let key = "0x" + String(repeating: "c0ffee", count: 10) + "abcd"
        let redactor = Redactor(secrets: [key, "hunter2-password", "abc"])
        #expect(redactor.redact("k=\(key) p=hunter2-password") == "k=*** p=***")
        #expect(redactor.redact("bare \(key.dropFirst(2)) end") == "bare *** end")
        #expect(redactor.redact("abc stays: too short to be a secret") == "abc stays: too short to be a secret")
    }

    @Test func everySinkGetsRedactedLinesAndLevelsAreFiltered() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fileURL = folder.appendingPathComponent("run.log")
        let console = Locked<[String]>([])
        let memory = MemoryLogSink()
        let log = RunLog(sinks: [
            try FileLogSink(url: fileURL, timeZone: utc),
            ConsoleLogSink(levels: ConsoleLogSink.defaultLevels(verbose: false), colored: false, timeZone: utc) { line in console.withLock { $0.append(line) } },
            memory,
        ])
        log.addSecrets(["s3cret-token-value"])
        log.info("token is s3cret-token-value", host: "h1")
        log.output(host: "h1", "out1\nout2 s3cret-token-value\n")
        log.debug("debug detail")
        let file = try String(contentsOf: fileURL, encoding: .utf8)
        #expect(!file.contains("s3cret"))
        #expect(file.contains("[INFO] [h1] token is ***"))
        #expect(file.contains("[OUTPUT] [h1] out2 ***"))
        let shown = console.withLock { $0 }
        #expect(shown.count == 1)
        #expect(!shown[0].contains("\u{1B}["))
        #expect(memory.entries.count == 4)
    }

    @Test func consoleColoursOnlyWhenAsked() {
        let lines = Locked<[String]>([])
        let sink = ConsoleLogSink(levels: [.error], colored: true, timeZone: utc) { line in lines.withLock { $0.append(line) } }
        sink.write(LogEntry(date: date, level: .error, host: "h", message: "bad"))
        #expect(lines.withLock { $0 }.first?.hasPrefix("\u{1B}[31;1m[2026") == true)
    }
}
