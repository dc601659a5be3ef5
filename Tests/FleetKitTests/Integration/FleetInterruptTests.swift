import Foundation
import FleetKitTesting
import FleetTestSupport
import Testing
@testable import FleetKit
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C, SIGTERM and a second signal sent to the built `fleet run` over real sshd hosts:
/// processes sampled before and after, on this machine and on the hosts (whose processes
/// this machine sees too: they run in network namespaces).
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct FleetInterruptTests {
    /// The built tool running in the background, its output going to files.
    struct RunningTool {
        let process: Process
        let folder: URL
        var stdout: String { (try? String(contentsOf: folder.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: folder.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }
        var log: String {
            let logs = folder.appendingPathComponent("logs")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: logs.path)) ?? []
            return names.compactMap { try? String(contentsOf: logs.appendingPathComponent($0), encoding: .utf8) }.joined()
        }

        /// Waits up to `seconds` for the tool to exit; its status, or nil when it still runs.
        func exit(within seconds: Double) async throws -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            return process.isRunning ? nil : process.terminationStatus
        }
    }

    /// `fleet run servers.csv -- COMMAND` over the three hosts, started in the background.
    func start(_ command: String, extraArguments: [String] = []) throws -> RunningTool {
        try start(subcommand: "run", extraArguments + ["--", command])
    }

    /// `fleet SUBCOMMAND servers.csv ARGUMENTS` over the three hosts, started in the background.
    func start(subcommand: String, _ arguments: [String]) throws -> RunningTool {
        let sandbox = try currentSandbox()
        let folder = sandbox.directory.appendingPathComponent("int-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = "name,ip,ssh_user\n" + sandbox.hosts.map { "\($0.name),\($0.address),fleettest" }.joined(separator: "\n") + "\n"
        try csv.write(to: folder.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("stderr").path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltTool.path("fleet"))
        process.arguments = [subcommand, "servers.csv", "-i", sandbox.identityFile, "--known-hosts", folder.appendingPathComponent("known_hosts").path,
                             "--persist", "0"] + arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
        try process.run()
        return RunningTool(process: process, folder: folder)
    }

    /// Polls until `condition` holds, for at most `seconds`.
    func waitUntil(_ seconds: Double, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw SandboxError("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The remote commands: `sleep SECONDS` run by the hosts' shells (not the local ssh clients,
    /// whose command lines carry the whole remote script).
    func remoteSleeps(_ marker: String) -> [String] {
        ProcessScan.live(containing: marker).filter { !$0.contains("ssh ") && !$0.contains("/ssh") }
    }

    func localClients(_ marker: String) -> [String] {
        ProcessScan.live(containing: marker).filter { $0.contains("ssh ") || $0.contains("/ssh") }
    }

    /// Starts `sleep` on every host, sends `signal` once the three remote sleeps run, and
    /// checks what is left and what was said.
    func interrupt(with signal: Int32, expecting code: Int32) async throws {
        let seconds = "3\(Int.random(in: 10_000...99_999))"   // a marker no other test's process carries
        let marker = "sleep \(seconds)"
        let tool = try start(marker)
        defer { if tool.process.isRunning { kill(tool.process.processIdentifier, SIGKILL) } }
        try await waitUntil(60, "the three remote sleeps") { remoteSleeps(marker).count >= 3 }
        #expect(localClients(marker).count >= 3, "one ssh client per host runs: \(ProcessScan.live(containing: marker))")

        kill(tool.process.processIdentifier, signal)
        // The ssh kill grace is 3 s and the remote cleanup up to a few seconds more.
        let status = try await tool.exit(within: 60)
        #expect(status == code, "\(tool.stderr)")
        try await waitUntil(60, "no ssh client or remote sleep left") { ProcessScan.live(containing: marker).isEmpty }
        #expect(ProcessScan.live(containing: marker).isEmpty)
        let name = ToolInterruption.name(of: signal)
        #expect(tool.stderr.contains("interrupted by \(name):"), "\(tool.stderr)")
        #expect(tool.stderr.contains("stopped in flight: h1 during 'command', h2 during 'command', h3 during 'command'"), "\(tool.stderr)")
        #expect(tool.stderr.contains("not started: none"))
        #expect(tool.stderr.contains("h2 : ok=0 changed=0"), "the recap")
        #expect(tool.stderr.hasSuffix("fleet: interrupted by \(name)\n"), "\(tool.stderr)")
        #expect(tool.log.contains("interrupted: done: none; stopped in flight: h1 during 'command'"), "\(tool.log)")
    }

    @Test func ctrlCStopsTheLocalClientsAndTheRemoteCommands() async throws {
        try await interrupt(with: SIGINT, expecting: 130)
    }

    @Test func sigtermStopsTheLocalClientsAndTheRemoteCommands() async throws {
        try await interrupt(with: SIGTERM, expecting: 143)
    }

    @Test func aSecondSignalForcesTheExitAtOnce() async throws {
        let seconds = "3\(Int.random(in: 10_000...99_999))"
        let marker = "sleep \(seconds)"
        // A remote limit of 8 s: a forced exit may leave the remote commands to it.
        let tool = try start(marker, extraArguments: ["--timeout", "8"])
        defer { if tool.process.isRunning { kill(tool.process.processIdentifier, SIGKILL) } }
        try await waitUntil(60, "the three remote sleeps") { remoteSleeps(marker).count >= 3 }
        // h1's sshd processes are frozen, so the first signal's cleanup connection to it
        // hangs (up to its 4 s limit); the second signal comes long before that.
        let sandbox = try currentSandbox()
        let freeze = try await sandbox.execute(onHost: 1, ["sh", "-c", "pkill -STOP --ns $$ --nslist net -x sshd"])
        #expect(freeze.status == 0, "\(String(decoding: freeze.standardError, as: UTF8.self))")
        defer { Task { _ = try? await sandbox.execute(onHost: 1, ["sh", "-c", "pkill -CONT --ns $$ --nslist net -x sshd"]) } }
        kill(tool.process.processIdentifier, SIGINT)
        try await Task.sleep(for: .milliseconds(500))
        #expect(tool.process.isRunning, "the first signal's cleanup waits for h1: \(tool.stderr)")
        kill(tool.process.processIdentifier, SIGINT)
        // The bound only guards against a hang; the "forced" line shows the second signal,
        // not the first one's cleanup, ended the tool.
        let status = try await tool.exit(within: 60)
        _ = try await sandbox.execute(onHost: 1, ["sh", "-c", "pkill -CONT --ns $$ --nslist net -x sshd"])
        #expect(status == 130, "\(tool.stderr)")
        #expect(tool.stderr.contains("fleet: forced to exit by a second SIGINT"), "\(tool.stderr)")
        // The tool killed the programs it started on its way out.
        try await waitUntil(30, "no local ssh client left") { localClients(marker).isEmpty }
        try await waitUntil(30, "the remote sleeps gone") { remoteSleeps(marker).isEmpty }
    }

    @Test func anInterruptedPingSaysWhichHostsAnsweredAndWhichWereStillBeingReached() async throws {
        // h3's sshd is frozen, so its connection hangs while h1 and h2 answer (h3: the test
        // above freezes h1, and its deferred thaw may come late).
        let sandbox = try currentSandbox()
        let freeze = try await sandbox.execute(onHost: 3, ["sh", "-c", "pkill -STOP --ns $$ --nslist net -x sshd"])
        #expect(freeze.status == 0, "\(String(decoding: freeze.standardError, as: UTF8.self))")
        defer { Task { _ = try? await sandbox.execute(onHost: 3, ["sh", "-c", "pkill -CONT --ns $$ --nslist net -x sshd"]) } }
        // OpenSSH gives up on a silent server after its 10 s connect timeout: the signal comes before.
        let tool = try start(subcommand: "ping", ["--timeout", "120"])
        defer { if tool.process.isRunning { kill(tool.process.processIdentifier, SIGKILL) } }
        try await waitUntil(60, "h1 and h2 reached") { tool.log.components(separatedBy: "reachable: connect").count == 3 }
        kill(tool.process.processIdentifier, SIGINT)
        let status = try await tool.exit(within: 60)
        _ = try await sandbox.execute(onHost: 3, ["sh", "-c", "pkill -CONT --ns $$ --nslist net -x sshd"])
        #expect(status == 130, "\(tool.stderr)")
        #expect(tool.stderr.contains("interrupted by SIGINT:\n  done: h1, h2\n  stopped in flight: h3\n  not started: none"), "\(tool.stderr)")
        #expect(tool.log.contains("interrupted: done: h1, h2; stopped in flight: h3; not started: none"), "\(tool.log)")
    }
}
