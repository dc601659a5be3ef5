import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting
@testable import FleetKit

/// A session's command stopped by its id: the cancel marker keeps a command that has not
/// started from running, run for real by this machine's `/bin/sh` with a private run folder.
@Suite(.tags(.unit)) struct MuxInvocationStopTests {
    private func shell(_ line: String, folder: String) async throws -> ProcessOutput {
        let prefix = "TMPDIR=\(ShellQuote.quote(folder)) LOGNAME=fkstop; export TMPDIR LOGNAME; "
        return try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", prefix + line], timeout: .seconds(120)))
    }

    @Test func aStopThatComesBeforeTheCommandKeepsItFromRunning() async throws {
        let folder = NSTemporaryDirectory() + "fk-mxstop-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let ran = folder + "/ran"
        let cancelled = MuxInvocation(script: "touch \(ShellQuote.quote(ran))", timeout: .seconds(60))
        let stop = try await shell(cancelled.stopCommandLine, folder: folder)
        #expect(stop.status == 0)
        #expect(FileManager.default.fileExists(atPath: "\(folder)/fleetkit-run-fkstop/\(cancelled.id).cancel"))
        let late = try await shell(cancelled.commandLine, folder: folder)
        #expect(late.status == 143)
        #expect(!FileManager.default.fileExists(atPath: ran), "the command ran after its cancellation")

        let other = MuxInvocation(script: "touch \(ShellQuote.quote(ran))", timeout: .seconds(60))
        let normal = try await shell(other.commandLine, folder: folder)
        #expect(normal.status == 0)
        #expect(FileManager.default.fileExists(atPath: ran), "another command's marker must not stop this one")
    }

    @Test func aStopFindsTheRunningCommandByItsIdAndNotItself() async throws {
        let folder = NSTemporaryDirectory() + "fk-mxstop-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let marker = "4\(Int.random(in: 100_000_000...999_999_999))"
        let invocation = MuxInvocation(script: "sleep \(marker) & sleep 1\(marker); wait", timeout: .seconds(3000))
        let running = Task { try await shell(invocation.commandLine, folder: folder) }
        #expect(await eventually { ProcessScan.live(containing: marker).count >= 2 }, "the command never started")
        let stop = try await shell(invocation.stopCommandLine, folder: folder)
        #expect(stop.status == 0)
        let ended = try await running.value
        #expect(ended.status != 0, "the command ran to its end")
        #expect(await eventually(within: .seconds(120)) { ProcessScan.live(containing: marker).isEmpty },
                "left running: \(ProcessScan.live(containing: marker))")
    }
}
