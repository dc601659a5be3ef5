import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aztec-fleet sanity --log FILE --node URL` against the stand-in node in its network modes
/// (healthy throughput, stalled inclusion, a reorg between samples) and logs with bridge
/// errors, an install report, and `--post` to a loopback stand-in webhook.
@Suite(.tags(.unit)) struct SanityNetworkToolTests {
    /// A folder for one test, and the stand-ins it started (stopped by their pid files).
    final class Scratch {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sanity-network-\(UUID().uuidString)")
        var pidFiles: [String] = []

        init() throws { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }

        deinit {
            for file in pidFiles {
                if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    kill(pid, SIGTERM)
                }
            }
            try? FileManager.default.removeItem(at: folder)
        }

        /// Starts a fixture script as a daemon on a free loopback port; returns the port.
        func start(_ script: String, _ arguments: [String]) async throws -> Int {
            let port = try LoopbackPort.free()
            let pidFile = folder.appendingPathComponent("\(script)-\(port).pid").path
            pidFiles.append(pidFile)
            let started = try await ProcessRunner.run(ProcessRequest(
                executable: "/usr/bin/python3",
                arguments: [AztecFleetSandbox.fixtures.appendingPathComponent(script).path, "--port", String(port), "--daemon", "--pidfile", pidFile] + arguments,
                timeout: .seconds(30)))
            guard started.status == 0 else { throw SandboxError("\(script) did not start: \(String(decoding: started.standardError, as: UTF8.self))") }
            return port
        }

        func node(_ mode: String, _ extra: [String] = []) async throws -> String {
            "http://127.0.0.1:\(try await start("fake_node.py", ["--mode", mode] + extra))"
        }
    }

    static func run(_ arguments: [String], command: String = "sanity", input: Data? = nil, environment: [String: String] = [:]) async throws
        -> (status: Int32, output: String, error: String) {
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"), arguments: [command] + arguments, standardInput: input,
            timeout: .seconds(60), environment: AztecFleetSandbox.toolEnvironment.merging(environment) { _, new in new }))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
    }

    static func decode(_ json: String) throws -> SanityReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SanityReport.self, from: Data(json.utf8))
    }

    static let healthyLog = SanityFixtures.url("healthy-validator.jsonl").path

    @Test func healthyThroughputIsMeasuredAndComparedWithTheMinimum() async throws {
        let scratch = try Scratch()
        let node = try await scratch.node("advancing", ["--txs-per-block", "9"])
        let healthy = try await Self.run(["--log", Self.healthyLog, "--node", node, "--window", "1s", "--min-tps", "0.2", "--json"])
        #expect(healthy.status == 0, "\(healthy.error)")
        let report = try Self.decode(healthy.output)
        let throughput = try #require(report.throughput)
        // The window saw one new block, 36 s after the one before it, with 9 transactions.
        #expect(throughput.blocks == 1 && throughput.transactions == 9 && throughput.seconds == 36 && throughput.transactionsPerSecond == 0.25)
        #expect(report.hosts.first?.throughput == throughput && report.findings.isEmpty && report.verdict == .stable)
        #expect(report.hosts.first?.observation.chain?.startBlocks?.map(\.number) == [45, 46, 47, 48])

        let slow = try await Self.run(["--log", Self.healthyLog, "--node", node, "--window", "1s", "--min-tps", "1"])
        #expect(slow.status == 1)
        #expect(slow.output.contains("[Critical] network: low throughput: 0.25 tx/s (9 txs in 1 block over 36 s, 9.0 per block, 1 of 1 blocks with transactions), below the minimum of 1.00 tx/s"))
        #expect(slow.output.contains("Verdict: network stable; 0 Blocker, 1 Critical, 0 Major, 0 Minor"))
        let bad = try await Self.run(["--log", Self.healthyLog, "--min-tps", "fast"])
        #expect(bad.status == 2 && bad.error.contains("--min-tps: 'fast' is not a number of transactions per second"))
    }

    @Test func stalledInclusionIsNetworkInstability() async throws {
        let scratch = try Scratch()
        let node = try await scratch.node("inclusion_stalled", ["--pending", "6"])
        let result = try await Self.run(["--log", Self.healthyLog, "--node", node, "--window", "1s", "--json"])
        #expect(result.status == 1, "\(result.error)")
        let report = try Self.decode(result.output)
        #expect(report.verdict == .unstable && report.instability == [.txInclusion])
        #expect(report.network.first?.summary == "transactions waited in the pool at both samples (healthy-validator.jsonl 6 → 6) while the 1 block of the last 1 s included none")
        #expect(report.network.first?.row == .networkWideProblems)
    }

    @Test func aReorgBetweenSamplesIsCountedAndPersistentFromTheLimit() async throws {
        let scratch = try Scratch()
        let node = try await scratch.node("reorg")
        let once = try await Self.run(["--log", Self.healthyLog, "--node", node, "--window", "1s", "--json"])
        #expect(once.status == 0, "\(once.error)")
        let report = try Self.decode(once.output)
        #expect(report.hosts.first?.reorgs == 1 && report.hosts.first?.findings.map(\.event) == [.chainReorg] && report.verdict == .stable)
        #expect(report.hosts.first?.observation.chain?.reorg?.height == 45, "the lowest height compared: the tip at the start (48) and the 3 below it")

        let persistent = try await Self.run(["--log", Self.healthyLog, "--node", node, "--window", "1s", "--reorg-limit", "1"])
        #expect(persistent.status == 1)
        #expect(persistent.output.contains("[Critical] network: chain reorgs: persistent chain reorgs: healthy-validator.jsonl 1 (limit 1)"))
        #expect(persistent.output.contains("Verdict: network unstable (chain reorgs)"))
    }

    @Test func bridgeErrorsInTheLogAndAnInstallReport() async throws {
        let bridge = try await Self.run(["--log", SanityFixtures.url("validator-bridge-errors.jsonl").path, "--json"])
        #expect(bridge.status == 1)
        let report = try Self.decode(bridge.output)
        #expect(report.instability == [.bridgeFailure] && report.findings.map(\.row) == [.bridgeContractIssues, .bridgeContractIssues])

        let scratch = try Scratch()
        let file = scratch.folder.appendingPathComponent("install.json")
        let staged = StagedRunReport(hostNames: ["s1"], stages: [], unreachable: [UnreachableHost(host: "s1", address: "10.0.0.1", reason: "timed out")])
        try JSONEncoder.report().encode(staged).write(to: file)
        let installed = try await Self.run(["--log", Self.healthyLog, "--install-report", file.path])
        #expect(installed.status == 1)
        #expect(installed.output.contains("[Blocker] s1: deployment issue: install: unreachable: timed out"))
        try Data("[]".utf8).write(to: file)
        let wrong = try await Self.run(["--log", Self.healthyLog, "--install-report", file.path])
        #expect(wrong.status == 2 && wrong.error.contains("\(file.path): not an install report (the JSON report of an install run): the top level has the wrong type"))
    }

    @Test func theVerdictIsPostedToTheWebhookWhoseURLIsNeverShown() async throws {
        let scratch = try Scratch()
        let record = scratch.folder.appendingPathComponent("received.txt")
        let port = try await scratch.start("fake_webhook.py", ["--record", record.path])
        let secret = "T0001/B0002/SECRETtokenXYZ"
        let urlFile = scratch.folder.appendingPathComponent("webhook.url")
        try "http://127.0.0.1:\(port)/services/\(secret)\n".write(to: urlFile, atomically: true, encoding: .utf8)
        let reportFile = scratch.folder.appendingPathComponent("report.json")

        let posted = try await Self.run(["--log", SanityFixtures.url("validator-bridge-errors.jsonl").path, "--post", urlFile.path, "--report", reportFile.path])
        #expect(posted.status == 1, "the findings fail the check; the post itself worked: \(posted.error)")
        #expect(posted.error == "posted to the webhook\n")
        let received = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(received.count == 1)
        let fields = received[0].split(separator: "\t", maxSplits: 2).map(String.init)
        #expect(fields[0] == "/services/\(secret)" && fields[1] == "application/json")
        let message = try JSONDecoder().decode([String: String].self, from: Data(fields[2].utf8))
        let text = try #require(message["text"])
        #expect(message.count == 1)
        #expect(text.hasPrefix("Aztec network sanity check ("))
        #expect(text.contains("1 node): network unstable (bridge contract failure); 0 Blocker, 2 Critical, 0 Major, 0 Minor\n"))
        #expect(text.contains("[Critical] validator-bridge-errors.jsonl: bridge contract failure: Rollup contract error: 2 lines with 'Rollup__'"))
        for shown in [posted.output, posted.error, try String(contentsOf: reportFile, encoding: .utf8)] { #expect(!shown.contains("SECRET")) }

        // From the environment, for the connection message too.
        let services = "NAME               TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)\nethereum-lb        LoadBalancer   10.0.0.1     35.200.1.2    8545:31545/TCP\nboot-node-lb-tcp   LoadBalancer   10.0.0.2     34.1.2.3      40400:30400/TCP\nboot-node-lb-udp   LoadBalancer   10.0.0.3     34.1.2.3      40400:30401/UDP\n"
        let info = try await Self.run(["--post", "env:TEAM_WEBHOOK"], command: "connection-info", input: Data(services.utf8),
                                      environment: ["TEAM_WEBHOOK": "http://127.0.0.1:\(port)/services/\(secret)"])
        #expect(info.status == 0 && info.error == "posted to the webhook\n", "\(info.error)")
        let second = try String(contentsOf: record, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(second.count == 2 && second[1].contains(#"Network connection info\n1. AZTEC_IMAGE: aztecprotocol\/aztec:latest"#))
    }

    @Test func aFailedPostKeepsTheReportAndNamesNoURL() async throws {
        let scratch = try Scratch()
        let record = scratch.folder.appendingPathComponent("received.txt")
        let port = try await scratch.start("fake_webhook.py", ["--record", record.path, "--status", "500"])
        let urlFile = scratch.folder.appendingPathComponent("webhook.url")
        try "http://127.0.0.1:\(port)/services/SECRETpath\n".write(to: urlFile, atomically: true, encoding: .utf8)
        let rejected = try await Self.run(["--log", Self.healthyLog, "--post", urlFile.path])
        #expect(rejected.status == 1, "a healthy check whose post failed")
        #expect(rejected.output.contains("Verdict: no instability in the logs (chain not probed)"))
        #expect(rejected.error == "post failed: the webhook answered HTTP 500: no_service; the report above is complete\n")

        let closed = try LoopbackPort.free()
        try "http://127.0.0.1:\(closed)/services/SECRETpath\n".write(to: urlFile, atomically: true, encoding: .utf8)
        let unreachable = try await Self.run(["--log", Self.healthyLog, "--post", urlFile.path, "--json"])
        #expect(unreachable.status == 1 && (try? Self.decode(unreachable.output)) != nil)
        #expect(unreachable.error.hasPrefix("post failed: the webhook could not be reached: "))
        #expect(!unreachable.error.contains("SECRET") && !unreachable.output.contains("SECRET"))

        let inline = try await Self.run(["--log", Self.healthyLog, "--post", "https://hooks.example/services/SECRETinline"])
        #expect(inline.status == 2 && inline.error.contains("a webhook URL on the command line would show in process lists") && !inline.error.contains("SECRET"))
        let unset = try await Self.run(["--log", Self.healthyLog, "--post", "env:NO_SUCH_WEBHOOK"])
        #expect(unset.status == 2 && unset.error.contains("the environment variable NO_SUCH_WEBHOOK holding the webhook URL is not set"))
        try "not a url\n".write(to: urlFile, atomically: true, encoding: .utf8)
        let garbage = try await Self.run(["--log", Self.healthyLog, "--post", urlFile.path])
        #expect(garbage.status == 2 && garbage.error.contains("does not hold an http(s) webhook URL on its first line"))
    }
}
