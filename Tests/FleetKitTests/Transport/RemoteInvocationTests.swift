import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting
@testable import FleetKit

/// The remote wrapper, read back from made-up output and run for real by this machine's
/// `/bin/sh` with a temporary home folder.
@Suite(.tags(.unit)) struct RemoteInvocationTests {
    let invocation = RemoteInvocation(script: "true", timeout: .seconds(30), id: "fktest1")

    private func read(_ stderr: String, stdout: String = "", truncated: Bool = false, limit: Int = 1 << 20) -> RemoteInvocation.Reading {
        invocation.read(standardOutput: Data(stdout.utf8), standardError: Data(stderr.utf8), truncated: truncated, outputLimit: limit)
    }

    @Test func theWrapperLinesAreFoundAndRemoved() {
        let reading = read("@fleetkit fktest1 start\nwarning: x\npartial@fleetkit fktest1 exit 255\n", stdout: "out\n")
        #expect(reading.started)
        #expect(reading.reportedStatus == 255)
        #expect(String(decoding: reading.standardError, as: UTF8.self) == "warning: x\npartial")
        #expect(String(decoding: reading.standardOutput, as: UTF8.self) == "out\n")
        #expect(!reading.truncated)
    }

    @Test func textAroundTheLinesFromTheLoginShellOrSSHIsKept() {
        let reading = read("motd from .bashrc\n@fleetkit fktest1 start\n@fleetkit fktest1 exit 3\nssh: trailing note\n")
        #expect(reading.reportedStatus == 3)
        #expect(String(decoding: reading.standardError, as: UTF8.self) == "motd from .bashrc\nssh: trailing note\n")
    }

    @Test func withoutTheStartLineTheCommandNeverRan() {
        let reading = read("ssh: connect to host 10.0.0.9 port 22: Connection refused\n")
        #expect(!reading.started)
        #expect(reading.reportedStatus == nil)
        #expect(String(decoding: reading.standardError, as: UTF8.self) == "ssh: connect to host 10.0.0.9 port 22: Connection refused\n")
    }

    @Test func anotherInvocationsLinesAreLeftAlone() {
        let foreign = "@fleetkit fkother start\n@fleetkit fkother exit 255\n"
        let reading = read(foreign)
        #expect(!reading.started)
        #expect(reading.reportedStatus == nil)
        #expect(reading.standardError == Data(foreign.utf8))
    }

    @Test func aStartLineWithoutExitLineMeansTheCommandDidNotReportBack() {
        let reading = read("@fleetkit fktest1 start\nworking\nClient loop: connection closed\n")
        #expect(reading.started)
        #expect(reading.reportedStatus == nil)
        #expect(String(decoding: reading.standardError, as: UTF8.self) == "working\nClient loop: connection closed\n")
    }

    @Test func theCallersLimitStillHolds() {
        let stderr = "@fleetkit fktest1 start\n" + String(repeating: "e", count: 10) + "@fleetkit fktest1 exit 0\n"
        let exact = read(stderr, stdout: String(repeating: "o", count: 10), limit: 10)
        #expect(exact.standardError.count == 10)
        #expect(exact.standardOutput.count == 10)
        #expect(!exact.truncated, "the wrapper's lines do not count against the limit")
        let over = read(stderr, stdout: String(repeating: "o", count: 12), limit: 8)
        #expect(over.standardError == Data(String(repeating: "e", count: 8).utf8))
        #expect(over.standardOutput.count == 8)
        #expect(over.truncated)
        #expect(read("@fleetkit fktest1 start\nabc", truncated: true).truncated)
    }

    // MARK: The wrapper run by sh

    /// A temporary folder standing for the host's home and temporary folder, and the
    /// environment naming it.
    private struct Home {
        let folder: URL
        var runFolder: URL { folder.appendingPathComponent("fleetkit-run-tester") }
        var environment: [String: String] {
            ["HOME": folder.path, "TMPDIR": folder.path, "LOGNAME": "tester", "PATH": "/usr/local/bin:/usr/bin:/bin"]
        }

        init() throws {
            folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fk-home-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }

        func runFolderEntries() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: runFolder.path)) ?? [] }

        func run(_ commandLine: String, input: Data? = nil) async throws -> ProcessOutput {
            try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", commandLine], standardInput: input,
                                                       timeout: .seconds(60), environment: environment))
        }
    }

    @Test func aCommandsOwnExit255IsReportedWithByteExactOutput() async throws {
        let home = try Home()
        defer { home.remove() }
        let invocation = RemoteInvocation(script: "printf 'a\\000b'; cat; printf 'no newline' >&2; exit 255", timeout: .seconds(30))
        let output = try await home.run(invocation.commandLine, input: Data("from stdin".utf8))
        #expect(output.status == 255)
        let reading = invocation.read(standardOutput: output.standardOutput, standardError: output.standardError,
                                      truncated: output.truncated, outputLimit: 1 << 20)
        #expect(reading.started)
        #expect(reading.reportedStatus == 255)
        #expect(reading.standardOutput == Data("a\u{0}bfrom stdin".utf8))
        #expect(String(decoding: reading.standardError, as: UTF8.self) == "no newline")
        #expect(home.runFolderEntries().isEmpty, "the pid file is removed when the command ends")
    }

    @Test func theCleanupStopsARunningCommand() async throws {
        let home = try Home()
        defer { home.remove() }
        let marker = "8\(Int.random(in: 100_000_000...999_999_999))"
        let invocation = RemoteInvocation(script: "trap '' TERM; sleep \(marker) & sleep \(marker); wait", timeout: .seconds(300))
        let running = Task { try await home.run(invocation.commandLine) }
        let pidFile = home.runFolder.appendingPathComponent(invocation.id)
        #expect(await eventually { FileManager.default.fileExists(atPath: pidFile.path) && ProcessScan.live(containing: "sleep \(marker)").count >= 2 })
        let cleanup = try await home.run(invocation.cleanupCommandLine)
        #expect(cleanup.status == 0)
        // The script ignores SIGTERM: `timeout` follows up with SIGKILL to the whole group.
        let output = try await running.value
        #expect(output.status == 128 + SIGTERM || output.status == 128 + SIGKILL)
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        #expect(home.runFolderEntries().isEmpty, "pid file and cancel marker are removed")
    }

    @Test func aCleanupThatOvertakesTheCommandKeepsItFromRunning() async throws {
        let home = try Home()
        defer { home.remove() }
        let marker = "9\(Int.random(in: 100_000_000...999_999_999))"
        let invocation = RemoteInvocation(script: "sleep \(marker); touch \"$HOME/ran\"", timeout: .seconds(300))
        #expect(try await home.run(invocation.cleanupCommandLine).status == 0)
        #expect(home.runFolderEntries() == ["\(invocation.id).cancel"])
        let output = try await home.run(invocation.commandLine)
        #expect(output.status != 0)
        #expect(!FileManager.default.fileExists(atPath: home.folder.appendingPathComponent("ran").path))
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty })
        #expect(home.runFolderEntries().isEmpty)
    }

    @Test func theRunFolderIsPrivateAndOutsideTheHome() async throws {
        let home = try Home()
        defer { home.remove() }
        let invocation = RemoteInvocation(script: "stat -c %a \"$TMPDIR/fleetkit-run-$LOGNAME\"; ls -A \"$HOME\"", timeout: .seconds(30))
        let output = try await home.run(invocation.commandLine)
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "700\nfleetkit-run-tester\n")
    }

    @Test func aRunFolderThatIsALinkIsNotUsed() async throws {
        let home = try Home()
        defer { home.remove() }
        let elsewhere = home.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: home.runFolder, withDestinationURL: elsewhere)
        let invocation = RemoteInvocation(script: "ls -A \(elsewhere.path)", timeout: .seconds(30))
        let output = try await home.run(invocation.commandLine)
        #expect(output.status == 0)
        #expect(output.standardOutput.isEmpty, "a pid file was written through the link")
    }

    @Test func withoutAUsableRunFolderTheCommandStillRuns() async throws {
        let invocation = RemoteInvocation(script: "echo ran", timeout: .seconds(30))
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", invocation.commandLine],
                                                                environment: ["TMPDIR": "/proc/nonexistent", "LOGNAME": "x", "PATH": "/usr/bin:/bin"]))
        let reading = invocation.read(standardOutput: output.standardOutput, standardError: output.standardError,
                                      truncated: output.truncated, outputLimit: 1 << 20)
        #expect(output.status == 0)
        #expect(String(decoding: reading.standardOutput, as: UTF8.self) == "ran\n")
        #expect(reading.standardError.isEmpty)
        #expect(reading.reportedStatus == 0)
    }
}
