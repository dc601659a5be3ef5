import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aztec-fleet sanity --log FILE|-`: a local log scanned without SSH, as a person runs it.
@Suite(.tags(.unit)) struct SanityLocalToolTests {
    func run(_ arguments: [String], input: Data? = nil) async throws -> (status: Int32, output: String, error: String) {
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"), arguments: ["sanity"] + arguments, standardInput: input,
            timeout: .seconds(60), environment: AztecFleetSandbox.toolEnvironment))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
    }

    static func decode(_ json: String) throws -> SanityReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SanityReport.self, from: Data(json.utf8))
    }

    @Test func aHealthyLogPassesAndAFailingOneExitsOne() async throws {
        let healthy = try await run(["--log", SanityFixtures.url("healthy-validator.jsonl").path])
        #expect(healthy.status == 0, "\(healthy.error)")
        #expect(healthy.output.hasPrefix("HOST                     ROLE        LINES"))
        #expect(healthy.output.contains("healthy-validator.jsonl  validator*  55     0       0 "))
        #expect(healthy.output.hasSuffix("Verdict: no instability in the logs (chain not probed); 0 Blocker, 0 Critical, 0 Major, 0 Minor\n"))

        let failing = try await run(["--log", SanityFixtures.url("prover-proof-failure.jsonl").path, "--json"])
        #expect(failing.status == 1)
        let report = try Self.decode(failing.output)
        #expect(report.verdict == .unstable && report.instability == [.proofGenerationFailure])
        #expect(report.hosts.first?.observation.logs?.count(of: "epoch-proof-failed") == 2)
    }

    @Test func standardInputAndAReportFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sanity-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let reportURL = folder.appendingPathComponent("report.json")
        let result = try await run(["--log", "-", "--role", "validator", "--report", reportURL.path],
                                   input: try SanityFixtures.data("validator-crash-loop.log"))
        #expect(result.status == 1, "persistent crashes are Critical")
        #expect(result.output.contains("stdin  validator  32     4       3 "))
        let report = try Self.decode(try String(contentsOf: reportURL, encoding: .utf8))
        #expect(report.hosts.first?.observation.name == "stdin" && report.hosts.first?.roleInferred == false)
        #expect(report.findings.map(\.event) == [.persistentCrashes])
    }

    @Test func theSignalTableIsPrintedAndExtendedFromAFile() async throws {
        let printed = try await run(["--print-signals"])
        #expect(printed.status == 0)
        #expect(try LogSignalTable.parse(csv: printed.output, file: "printed") == LogSignalTable.aztec)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sanity-signals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let signals = folder.appendingPathComponent("signals.csv")
        try "id,kind,text,roles,event,when_seen\npeer-discovery-failure,failure,Failed FINDNODE request,validator,peer-discovery-failure,Critical\n"
            .write(to: signals, atomically: true, encoding: .utf8)
        let log = SanityFixtures.url("validator-peer-discovery.jsonl").path
        #expect(try await run(["--log", log]).status == 0, "Major by default")
        #expect(try await run(["--log", log, "--signals", signals.path]).status == 1, "Critical from the file")

        try "id,kind,text\nx,often,abc\n".write(to: signals, atomically: true, encoding: .utf8)
        let bad = try await run(["--log", log, "--signals", signals.path])
        #expect(bad.status == 2)
        #expect(bad.error == "aztec-fleet: \(signals.path):2:3: kind 'often' is not one of marker, failure, catalogue, crash, start, reorg\n")
    }

    @Test func usageAndInputErrorsExitTwoWithOneLine() async throws {
        let missing = try await run(["--log", "/nonexistent/node.log"])
        #expect(missing.status == 2 && missing.error == "aztec-fleet: cannot read /nonexistent/node.log: No such file or directory\n")
        let both = try await run(["servers.csv", "--log", "node.log"])
        #expect(both.status == 2 && both.error.contains("give either --log or servers.csv, not both"))
        let neither = try await run([])
        #expect(neither.status == 2 && neither.error.contains("give servers.csv to check the fleet, or --log FILE"))
        let role = try await run(["--log", "-", "--role", "miner"], input: Data())
        #expect(role.status == 2 && role.error.contains("--role: 'miner' is not a role; expected validator, prover or bot"))
        let window = try await run(["--log", "-", "--window", "soon"], input: Data())
        #expect(window.status == 2 && window.error.contains("--window: 'soon' is not a duration"))
    }

    @Test func aLocalNodeIsSampledOverTheWindow() async throws {
        let port = try LoopbackPort.free()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sanity-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pidFile = folder.appendingPathComponent("node.pid").path
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
            try? FileManager.default.removeItem(at: folder)
        }
        let started = try await ProcessRunner.run(ProcessRequest(
            executable: "/usr/bin/python3",
            arguments: [AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path, "--mode", "advancing", "--port", String(port),
                        "--daemon", "--pidfile", pidFile], timeout: .seconds(30)))
        #expect(started.status == 0)
        let log = SanityFixtures.url("healthy-validator.jsonl").path
        let healthy = try await run(["--log", log, "--node", "http://127.0.0.1:\(port)", "--window", "1s", "--json"])
        #expect(healthy.status == 0, "\(healthy.error)")
        let report = try Self.decode(healthy.output)
        #expect(report.verdict == .stable && report.windowSeconds == 1)
        let chain = try #require(report.hosts.first?.observation.chain)
        #expect(chain.startBlock == 48 && chain.endBlock == 49 && chain.endProven == 42 && chain.ready == true)

        let closed = try LoopbackPort.free()
        let silent = try await run(["--log", log, "--node", "http://127.0.0.1:\(closed)", "--window", "0"])
        #expect(silent.status == 1)
        #expect(silent.output.contains("sync problem: the node's JSON-RPC did not answer: node_getBlockNumber to http://127.0.0.1:\(closed)"))
        let bad = try await run(["--log", log, "--node", "ftp://user:secret@node.example"])
        #expect(bad.status == 2 && bad.error.contains("is not an http(s) URL"))
        #expect(!bad.error.contains("secret"), "credentials in a URL are never printed")
    }
}
