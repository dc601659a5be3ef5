import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// Ctrl-C during an `aztec-fleet` stage, over real sshd hosts whose apt-get hangs.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(2))
struct StageInterruptTests {
    @Test func ctrlCMidStageStopsTheRemoteCommandsAndSaysWhatWasDone() async throws {
        let sandbox = try currentSandbox()
        try AztecFleetSandbox.prepare(sandbox)
        let seconds = "3\(Int.random(in: 10_000...99_999))"
        for index in 1...2 { try AztecFleetSandbox.setState(sandbox, index, "apt-hang", seconds) }
        defer { for index in 1...2 { try? FileManager.default.removeItem(at: AztecFleetSandbox.stateFolder(sandbox, index).appendingPathComponent("apt-hang")) } }
        let csv = AztecFleetSandbox.inventoryCSV(sandbox.hosts, keys: sandbox.hosts.map { _ in AztecFleetSandbox.privateKey() })
        let folder = sandbox.directory.appendingPathComponent("stage-int-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try csv.write(to: folder.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let errors = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let logs = folder.appendingPathComponent("logs")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltTool.path("aztec-fleet"))
        process.arguments = ["install", folder.appendingPathComponent("servers.csv").path] + AztecFleetSandbox.connectionArguments(sandbox, logs: logs)
        process.environment = AztecFleetSandbox.toolEnvironment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let marker = "sleep \(seconds)"
        let remote = { ProcessScan.live(containing: marker).filter { !$0.contains("ssh") } }
        try await eventually(90, "apt-get hanging on both hosts") { remote().count >= 2 }

        kill(process.processIdentifier, SIGINT)
        try await eventually(20, "the tool to exit") { !process.isRunning }
        let console = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(process.terminationReason == .exit && process.terminationStatus == 130, "\(console)")
        try await eventually(10, "no ssh client or remote command left") { ProcessScan.live(containing: marker).isEmpty }
        #expect(console.contains("interrupted by SIGINT:"), "\(console)")
        #expect(console.contains("stage prepare: stopped in flight: h1 during '"), "\(console)")
        #expect(console.contains("stages not run: docker, aztec"), "\(console)")
        #expect(console.hasSuffix("aztec-fleet: interrupted by SIGINT\n"), "\(console)")
        let log = try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasPrefix("complete_install_") }
            .map { try String(contentsOf: logs.appendingPathComponent($0), encoding: .utf8) }.joined()
        #expect(log.contains("interrupted: stage prepare: done: none; stage prepare: stopped in flight: h1 during '"), "\(log)")
    }
}
