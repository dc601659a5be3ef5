import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aztec-fleet proof` against real sshd hosts, each with a fake node in its own network namespace.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(5))
struct ProofCollectionOverSSHTests {
    static let modes = ["synced", "not_synced", "error", "hang"]

    /// Starts a fake node on 127.0.0.1:8080 inside hosts 1–4 (once per suite).
    static func startNodes(_ sandbox: SandboxHosts) async throws {
        let script = AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path
        for (offset, mode) in modes.enumerated() {
            let index = offset + 1
            let pidFile = sandbox.hostDirectory(index).appendingPathComponent("fake_node.pid").path
            if FileManager.default.fileExists(atPath: pidFile) { continue }
            let output = try await sandbox.execute(onHost: index, ["python3", script, "--mode", mode, "--port", "8080", "--daemon",
                                                                   "--pidfile", pidFile,
                                                                   "--request-log", sandbox.hostDirectory(index).appendingPathComponent("requests.log").path])
            guard output.status == 0 else { throw SandboxError("fake node on h\(index) did not start: \(String(decoding: output.standardError, as: UTF8.self))") }
        }
    }

    static func inventory(_ sandbox: SandboxHosts) throws -> URL {
        let url = sandbox.directory.appendingPathComponent("servers.csv")
        let keys = sandbox.hosts.map { _ in AztecFleetSandbox.privateKey() }
        try AztecFleetSandbox.inventoryCSV(sandbox.hosts, keys: keys).write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func everyStatusLandsInTheCSVAndTheSummary() async throws {
        let sandbox = try currentSandbox()
        try await Self.startNodes(sandbox)
        let inventoryURL = try Self.inventory(sandbox)
        try await sandbox.stopHost(5)
        let work = sandbox.directory.appendingPathComponent("proof-run")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let csvURL = work.appendingPathComponent("proofs.csv")
        let logs = work.appendingPathComponent("logs")
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: ["proof", inventoryURL.path, "--format", "detailed", "--output", csvURL.path, "--timeout", "10", "--json"]
                + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(120), environment: AztecFleetSandbox.toolEnvironment))
        try await sandbox.startHost(5)
        let console = String(decoding: output.standardError, as: UTF8.self)
        #expect(output.status == 1, "hosts without a proof make the run fail:\n\(console)")

        let rows = try CSVReader.parse(String(contentsOf: csvURL, encoding: .utf8), file: "proofs.csv").map(\.fields)
        #expect(rows.first == ProofReport.columns)
        let byName = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        #expect(rows.count == 6)
        let ok = try #require(byName["h1"])
        #expect(ok[1] == sandbox.hosts[0].address && ok[2] == "0x" + String(repeating: "1", count: 40))
        #expect(ok[3] == "ok" && ok[4] == "42" && ok[7].isEmpty)
        #expect(ok[5] == Data("sibling-path-at-42".utf8).base64EncodedString())
        #expect(ok[6].range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)
        #expect(byName["h2"]?[3] == "not_synced" && byName["h2"]?[7].contains("proven block is 0") == true)
        #expect(byName["h3"]?[3] == "rpc_error" && byName["h3"]?[7].contains("world state is not ready") == true)
        #expect(byName["h4"]?[3] == "timeout" && byName["h4"]?[5] == "", "the hanging host is cut at its timeout")
        #expect(byName["h5"]?[3] == "unreachable" && byName["h5"]?[7].contains("SSH connection failed") == true)
        let requests = try String(contentsOf: sandbox.hostDirectory(1).appendingPathComponent("requests.log"), encoding: .utf8)
        #expect(requests.contains(#""method":"node_getArchiveSiblingPath","params":["42","42"]"#))

        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let json = try decoder.decode([ProofResult].self, from: output.standardOutput)
        #expect(json.map(\.status) == [.ok, .notSynced, .rpcError, .timeout, .unreachable])

        let logFiles = try FileManager.default.contentsOfDirectory(atPath: logs.path)
        #expect(logFiles.contains { $0.range(of: #"^proof_collection_\d{8}_\d{6}\.log$"#, options: .regularExpression) != nil })
        let summaryName = try #require(logFiles.first { $0.range(of: #"^proof_summary_\d{8}_\d{6}\.txt$"#, options: .regularExpression) != nil })
        let summary = try String(contentsOf: logs.appendingPathComponent(summaryName), encoding: .utf8)
        #expect(summary.contains("hosts:        5"))
        #expect(summary.contains("success rate: 20.0% (1 of 5)"))
        for status in ["ok", "unreachable", "rpc_error", "not_synced", "timeout"] {
            #expect(summary.contains("  \(status.padding(toLength: 12, withPad: " ", startingAt: 0)) 1"))
        }
        #expect(summary.range(of: #"slowest hosts:\n(  h\d .*\n){0,4}  h4 \([0-9.]+\): [0-9.]+ s, timeout\n"#, options: .regularExpression) != nil,
                "the hanging host is among the slowest")
    }

    /// Replaces what changes from run to run (addresses, times) with the placeholders of the expected files.
    static func normalised(_ text: String, _ sandbox: SandboxHosts, logs: URL, results: URL) -> String {
        var text = text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "@TIME@", options: .regularExpression)
        text = text.replacingOccurrences(of: #"Generated: .*\n"#, with: "Generated: @DATE@\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"proof_collection_\d{8}_\d{6}\.log"#, with: "@LOG@", options: .regularExpression)
        text = text.replacingOccurrences(of: logs.path, with: "@LOGS@").replacingOccurrences(of: results.path, with: "@RESULTS@")
        for (index, host) in sandbox.hosts.enumerated() { text = text.replacingOccurrences(of: host.address + ",", with: "@IP\(index + 1)@,") }
        for (index, host) in sandbox.hosts.enumerated() { text = text.replacingOccurrences(of: host.address + " ", with: "@IP\(index + 1)@ ") }
        return text
    }

    @Test func theOriginalProofResultsFileSummaryAndBackup() async throws {
        let sandbox = try currentSandbox()
        try await Self.startNodes(sandbox)
        let inventoryURL = try Self.inventory(sandbox)
        try await sandbox.stopHost(5)
        let work = sandbox.directory.appendingPathComponent("proof-original")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let logs = work.appendingPathComponent("logs")
        let results = work.appendingPathComponent("proof_results.csv")
        let previous = "ip,address,block_number,proof,status,timestamp\n203.0.113.9,0x9,7,AAAA,SUCCESS,2026-01-01T00:00:00Z\n"
        try previous.write(to: results, atomically: true, encoding: .utf8)
        let script = "cd \(ShellQuote.quote(work.path)) && exec " + ShellQuote.join(
            [try BuiltTool.path("aztec-fleet"), "proof", inventoryURL.path, "--timeout", "10"]
                + AztecFleetSandbox.connectionArguments(sandbox, logs: logs))
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script], timeout: .seconds(120),
                                                                environment: AztecFleetSandbox.toolEnvironment))
        try await sandbox.startHost(5)
        #expect(output.status == 1)
        let expected = AztecFleetSandbox.fixtures.appendingPathComponent("expected")
        let csv = try String(contentsOf: results, encoding: .utf8)
        let wantedCSV = try String(contentsOf: expected.appendingPathComponent("proof_results.csv"), encoding: .utf8)
            .replacingOccurrences(of: "@PROOF@", with: Data("sibling-path-at-42".utf8).base64EncodedString())
        #expect(Self.normalised(csv, sandbox, logs: logs, results: results) == wantedCSV)
        let backups = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix("proof_results.csv.backup.") }
        #expect(backups.count == 1 && backups[0].range(of: #"^proof_results\.csv\.backup\.\d{8}_\d{6}$"#, options: .regularExpression) != nil)
        #expect(try String(contentsOf: work.appendingPathComponent(backups[0]), encoding: .utf8) == previous)
        let summaryName = try #require(try FileManager.default.contentsOfDirectory(atPath: logs.path).first { $0.hasPrefix("proof_summary_") })
        let summary = try String(contentsOf: logs.appendingPathComponent(summaryName), encoding: .utf8)
        #expect(summary.range(of: #"Generated: [A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3]\d \d\d:\d\d:\d\d [A-Z+\-0-9]+ \d{4}\n"#, options: .regularExpression) != nil)
        #expect(Self.normalised(summary, sandbox, logs: logs, results: results)
            == (try String(contentsOf: expected.appendingPathComponent("proof_summary.txt"), encoding: .utf8)))
        let console = Self.normalised(String(decoding: output.standardError, as: UTF8.self), sandbox, logs: logs, results: results)
        let block = try #require(console.range(of: "======================================\n").map { String(console[$0.lowerBound...]) })
        #expect(block == (try String(contentsOf: expected.appendingPathComponent("proof_console.txt"), encoding: .utf8)))
    }

    @Test func killingTheToolMidRunLeavesTheOldCSVIntactAndNoTemporaryFile() async throws {
        let sandbox = try currentSandbox()
        try await Self.startNodes(sandbox)
        let inventoryURL = try Self.inventory(sandbox)
        let work = sandbox.directory.appendingPathComponent("kill-run")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let csvURL = work.appendingPathComponent("proofs.csv")
        let old = "name,address,eth_address,status,block_number,proof,collected_at,error\nold,203.0.113.1,,ok,7,AAAA,2026-01-01T00:00:00Z,\n"
        try old.write(to: csvURL, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = try BuiltTool.url("aztec-fleet")
        process.arguments = ["proof", inventoryURL.path, "--output", csvURL.path, "--timeout", "60", "--limit", "h1,h4"]
            + AztecFleetSandbox.connectionArguments(sandbox, logs: work.appendingPathComponent("logs"))
        process.environment = AztecFleetSandbox.toolEnvironment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let exit = ChildExitState(watching: process)
        // h1 answers at once; h4 hangs, so the tool is mid-run with one result in memory.
        let logs = work.appendingPathComponent("logs")
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            let text = (try? FileManager.default.contentsOfDirectory(atPath: logs.path))?.first.flatMap {
                try? String(contentsOf: logs.appendingPathComponent($0), encoding: .utf8)
            } ?? ""
            if text.contains("[OK] [h1] proof at block 42") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(exit.isRunning, "the tool should still wait for the hanging host")
        kill(process.processIdentifier, SIGKILL)
        #expect(await ChildExit.status(of: process) == 128 + SIGKILL)
        #expect(try String(contentsOf: csvURL, encoding: .utf8) == old, "the old CSV must be intact")
        let left = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0 != "logs" }
        #expect(left == ["proofs.csv"], "no temporary file may be left: \(left)")
    }
}
