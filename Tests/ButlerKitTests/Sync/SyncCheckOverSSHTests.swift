import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aztec-fleet sync` against real sshd hosts with fake nodes on different ports and in every state.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(7))
struct SyncCheckOverSSHTests {
    /// (host, mode, port, proven block); h5 runs no node, h7 is stopped.
    static let nodes: [(Int, String, Int, Int)] = [(1, "synced", 8080, 42), (2, "synced", 8082, 42), (3, "synced", 8081, 40),
                                                   (4, "error", 8080, 42), (6, "hang", 8080, 42)]

    static func startNodes(_ sandbox: SandboxHosts) async throws {
        let script = AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path
        for (index, mode, port, proven) in nodes {
            let pidFile = sandbox.hostDirectory(index).appendingPathComponent("fake_node.pid").path
            if FileManager.default.fileExists(atPath: pidFile) { continue }
            let output = try await sandbox.execute(onHost: index, ["python3", script, "--mode", mode, "--port", String(port),
                                                                   "--proven", String(proven), "--daemon", "--pidfile", pidFile])
            guard output.status == 0 else { throw SandboxError("fake node on h\(index) did not start: \(String(decoding: output.standardError, as: UTF8.self))") }
        }
    }

    static func run(_ sandbox: SandboxHosts, _ extra: [String], work: URL) async throws -> ProcessOutput {
        let inventory = "name,ip,user\n" + sandbox.hosts.map { "\($0.name),\($0.address),fleettest" }.joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try inventory.write(to: work.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let script = "cd \(ShellQuote.quote(work.path)) && exec " + ShellQuote.join(
            [try BuiltTool.path("aztec-fleet"), "sync", "servers.csv"] + extra
                + AztecFleetSandbox.connectionArguments(sandbox, logs: work.appendingPathComponent("logs")))
        var environment = AztecFleetSandbox.toolEnvironment
        environment["TIMEOUT"] = "5"
        return try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script], timeout: .seconds(120),
                                                          environment: environment))
    }

    static func normalised(_ text: String, _ sandbox: SandboxHosts) -> String {
        var text = text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "@TIME@", options: .regularExpression)
        for (index, host) in sandbox.hosts.enumerated() { text = text.replacingOccurrences(of: host.address, with: "@IP\(index + 1)@") }
        return text.replacingOccurrences(of: #"Duration: [0-9.]+ s"#, with: "Duration: @S@ s", options: .regularExpression)
    }

    @Test func everyStatusAgainstTheFleetsBestNode() async throws {
        let sandbox = try currentSandbox()
        try await Self.startNodes(sandbox)
        try await sandbox.stopHost(7)
        let work = sandbox.directory.appendingPathComponent("sync-fleet")
        let output = try await Self.run(sandbox, [], work: work)
        try await sandbox.startHost(7)
        let console = String(decoding: output.standardError, as: UTF8.self)
        #expect(output.status == 1, "\(console)")
        let expected = AztecFleetSandbox.fixtures.appendingPathComponent("expected")
        let csv = try String(contentsOf: work.appendingPathComponent("sync_results.csv"), encoding: .utf8)
        let normalisedCSV = Self.normalised(csv, sandbox)
        let wanted = try String(contentsOf: expected.appendingPathComponent("sync_results.csv"), encoding: .utf8)
        #expect(normalisedCSV.replacingOccurrences(of: #"SSH connection failed: [^"]*"#, with: "SSH connection failed: @WHY@", options: .regularExpression)
            == wanted)
        // The file reads back as 8 records of 8 fields, raw_output spanning lines.
        let records = try CSVReader.parse(csv, file: "sync_results.csv")
        #expect(records.count == 8 && records.allSatisfy { $0.fields.count == 8 })
        let summary = try #require(console.range(of: "==========================================\nAZTEC SYNC CHECK SUMMARY").map { String(console[$0.lowerBound...]) })
        let block = String(summary.prefix(upTo: try #require(summary.range(of: "results: ")).lowerBound))
        #expect(Self.normalised(block, sandbox) == (try String(contentsOf: expected.appendingPathComponent("sync_summary.txt"), encoding: .utf8)))
    }

    @Test func aReferenceNodeIsAskedFromThisMachine() async throws {
        let sandbox = try currentSandbox()
        try await Self.startNodes(sandbox)
        let port = Int.random(in: 20_000...40_000)
        let pidFile = sandbox.directory.appendingPathComponent("reference.pid").path
        let started = try await ProcessRunner.run(ProcessRequest(
            executable: "/usr/bin/python3",
            arguments: [AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path, "--port", String(port), "--proven", "40",
                        "--daemon", "--pidfile", pidFile], timeout: .seconds(30)))
        #expect(started.status == 0)
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }
        let work = sandbox.directory.appendingPathComponent("sync-reference")
        let output = try await Self.run(sandbox, ["--reference", "http://127.0.0.1:\(port)", "--limit", "h1,h3", "--json"], work: work)
        #expect(output.status == 1, "\(String(decoding: output.standardError, as: UTF8.self))")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let results = try decoder.decode([SyncResult].self, from: output.standardOutput)
        #expect(results.map(\.name) == ["h1", "h3"])
        #expect(results.map(\.status) == [.syncing, .synced])
        #expect(results.allSatisfy { $0.remoteBlock == 40 })
        #expect(results.map(\.port) == [8080, 8081])
    }
}
