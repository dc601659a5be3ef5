import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aztec-fleet sanity servers.csv` against real sshd hosts: each with a fake node whose blocks
/// advance, stall or lag, and a `docker` shim whose `docker logs` streams a fixture log.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(4))
struct SanityFleetOverSSHTests {
    /// One host's part: the fixture its container logs, the container's state, the node's mode.
    struct Node {
        var index: Int
        var log: String
        var state: String? = "running|0|0|false|2026-01-05T11:00:00Z"
        var mode: String
    }

    static let validatorsStats = """
        {"stats": {"0x1111111111111111111111111111111111111111": {"address": "0x1111111111111111111111111111111111111111", "totalSlots": 20,
          "missedAttestations": {"count": 0, "currentStreak": 0}, "missedProposals": {"count": 0, "currentStreak": 0}}}, "lastProcessedSlot": 10300}
        """

    /// Lays out shims, logs and container states, and starts (once) a fake node on every host
    /// that follows the mode written in its state folder.
    static func prepare(_ sandbox: SandboxHosts, _ nodes: [Node]) async throws {
        try AztecFleetSandbox.prepare(sandbox)
        let script = AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path
        for node in nodes {
            let state = AztecFleetSandbox.stateFolder(sandbox, node.index)
            try AztecFleetSandbox.setState(sandbox, node.index, "docker.installed")
            try AztecFleetSandbox.setState(sandbox, node.index, "node_mode", node.mode)
            try FileManager.default.copyItem(at: SanityFixtures.url(node.log), to: state.appendingPathComponent("container.log"))
            if let containerState = node.state { try AztecFleetSandbox.setState(sandbox, node.index, "container.state", containerState) }
            let stats = sandbox.hostDirectory(node.index).appendingPathComponent("validators-stats.json")
            try validatorsStats.write(to: stats, atomically: true, encoding: .utf8)
            let pidFile = sandbox.hostDirectory(node.index).appendingPathComponent("sanity_node.pid").path
            if FileManager.default.fileExists(atPath: pidFile) { continue }
            let output = try await sandbox.execute(onHost: node.index, [
                "python3", script, "--mode-file", state.appendingPathComponent("node_mode").path, "--port", "8080",
                "--validators-stats-file", stats.path, "--daemon", "--pidfile", pidFile])
            guard output.status == 0 else { throw SandboxError("fake node on h\(node.index) did not start: \(String(decoding: output.standardError, as: UTF8.self))") }
        }
    }

    static func run(_ sandbox: SandboxHosts, _ extra: [String], work: URL) async throws -> ProcessOutput {
        let inventory = "name,ip,user\n" + sandbox.hosts.map { "\($0.name),\($0.address),fleettest" }.joined(separator: "\n") + "\n"
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try inventory.write(to: work.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let script = "cd \(ShellQuote.quote(work.path)) && exec " + ShellQuote.join(
            [try BuiltTool.path("aztec-fleet"), "sanity", "servers.csv"] + extra
                + AztecFleetSandbox.connectionArguments(sandbox, logs: work.appendingPathComponent("logs")))
        return try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script], timeout: .seconds(180),
                                                          environment: AztecFleetSandbox.toolEnvironment))
    }

    static func decode(_ data: Data) throws -> SanityReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SanityReport.self, from: data)
    }

    @Test func healthyLaggingCrashingAndUnreachableNodes() async throws {
        let sandbox = try currentSandbox()
        try await Self.prepare(sandbox, [Node(index: 1, log: "healthy-validator.jsonl", mode: "advancing"),
                                         Node(index: 2, log: "healthy-prover.log", mode: "advancing"),
                                         Node(index: 3, log: "validator-crash-loop.log", state: "restarting|5|137|true|2026-01-05T11:58:00Z", mode: "lagging"),
                                         Node(index: 4, log: "healthy-validator.jsonl", mode: "advancing")])
        try await sandbox.stopHost(4)
        let work = sandbox.directory.appendingPathComponent("sanity-mixed")
        let output = try await Self.run(sandbox, ["--window", "1s", "--json"], work: work)
        try await sandbox.startHost(4)
        let console = String(decoding: output.standardError, as: UTF8.self)
        #expect(output.status == 1, "\(console)")
        let report = try Self.decode(output.standardOutput)
        #expect(report.hosts.map(\.observation.name) == ["h1", "h2", "h3", "h4"])

        let healthy = report.hosts[0]
        #expect(healthy.findings.isEmpty, "\(healthy.findings)")
        #expect(healthy.role == .validator && healthy.roleInferred)
        #expect(healthy.observation.logs?.lines == 55 && healthy.observation.logs?.count(of: "block-processing") == 12,
                "the node's standard error came through docker logs")
        #expect(healthy.observation.container == ContainerState(name: "aztec-node", status: "running", restartCount: 0, startedAt: "2026-01-05T11:00:00Z"))
        let chain = try #require(healthy.observation.chain)
        #expect(chain.ready == true && (chain.newBlocks ?? 0) >= 1 && chain.endProven == 42 && healthy.lag == 0)
        #expect(chain.validators?.map(\.address) == ["0x1111111111111111111111111111111111111111"])

        #expect(report.hosts[1].role == .prover && report.hosts[1].findings.isEmpty, "\(report.hosts[1].findings)")

        let crashing = report.hosts[2]
        #expect(crashing.findings.map(\.event) == [.persistentCrashes, .persistentCrashes, .syncProblem])
        #expect(crashing.findings.first?.summary == "container aztec-node is restarting (restart 5, last exit 137, killed for lack of memory)")
        #expect(crashing.restarts == 5 && crashing.lag == 40)
        #expect(crashing.findings.last?.summary.hasPrefix("40 blocks behind the fleet's best node h") == true)

        #expect(report.hosts[3].observation.unreachable != nil && report.hosts[3].findings.first?.criticality == .critical)
        #expect(report.network.isEmpty, "2 of 4 nodes with sync problems is not most of the fleet")
        #expect(report.verdict == .stable)

        let calls = AztecFleetSandbox.calls(sandbox, 1)
        #expect(calls.contains("docker logs --timestamps --since 1h aztec-node"), "\(calls)")
        let logs = work.appendingPathComponent("logs")
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path)
        let logName = try #require(files.first { $0.range(of: #"^sanity_\d{8}_\d{6}\.log$"#, options: .regularExpression) != nil })
        let reportName = logName.replacingOccurrences(of: "sanity_", with: "sanity_report_").replacingOccurrences(of: ".log", with: ".json")
        #expect(try Self.decode(Data(contentsOf: logs.appendingPathComponent(reportName))) == report)
        let logText = try String(contentsOf: logs.appendingPathComponent(logName), encoding: .utf8)
        #expect(logText.contains("[h1] scanned 55 lines"))
        #expect(logText.contains("[ERROR] [h3] 3 findings: persistent crashes"))
        #expect(console.contains("report: \(logs.appendingPathComponent(reportName).path)"))
    }

    @Test func aStalledNetworkIsUnstable() async throws {
        let sandbox = try currentSandbox()
        try await Self.prepare(sandbox, (1...4).map { Node(index: $0, log: "healthy-validator.jsonl", mode: "stalled") })
        let work = sandbox.directory.appendingPathComponent("sanity-stalled")
        let output = try await Self.run(sandbox, ["--window", "1s", "--since", "30m"], work: work)
        let text = String(decoding: output.standardOutput, as: UTF8.self)
        #expect(output.status == 1, "\(String(decoding: output.standardError, as: UTF8.self))")
        #expect(text.contains("[Critical] network: block production stall: no new block in 1 s on the fleet's best node h1 (block 47)"))
        #expect(text.contains("Verdict: network unstable (block production stall); 0 Blocker, 1 Critical, 0 Major, 0 Minor"))
        #expect(text.hasPrefix("HOST  ROLE        LINES  ERRORS  RESTARTS  BLOCK  NEW  LAG  PROVEN  READY  TPS   POOL  STATUS\nh1    validator*  55     0       0         47     +0   0    42      yes    0.00  0     ok\n"))
        #expect(AztecFleetSandbox.calls(sandbox, 2).contains("docker logs --timestamps --since 30m aztec-node"))
    }

    @Test func throughputInclusionReorgsAndBridgeErrorsOverAFleet() async throws {
        let sandbox = try currentSandbox()
        try await Self.prepare(sandbox, (1...4).map { Node(index: $0, log: "healthy-validator.jsonl", mode: "advancing") })
        func check(_ name: String, _ extra: [String]) async throws -> (status: Int32, report: SanityReport) {
            let output = try await Self.run(sandbox, ["--window", "1s", "--json"] + extra, work: sandbox.directory.appendingPathComponent("sanity-\(name)"))
            return (output.status, try Self.decode(output.standardOutput))
        }
        func setMode(_ mode: String) throws { for index in 1...4 { try AztecFleetSandbox.setState(sandbox, index, "node_mode", mode) } }

        // A healthy fleet: every node's blocks carry 3 transactions, the fleet's TPS is measured.
        let healthy = try await check("healthy", ["--min-tps", "0.05"])
        #expect(healthy.status == 0, "\(healthy.report.findings)")
        let throughput = try #require(healthy.report.throughput)
        #expect(throughput.transactions == 3 * throughput.blocks && throughput.blocks >= 1 && throughput.transactionsPerSecond > 0.05)
        #expect(healthy.report.hosts.allSatisfy { $0.throughput != nil && $0.observation.chain?.endPending == 0 } && healthy.report.verdict == .stable)
        #expect(try await check("slow", ["--min-tps", "50"]).report.network.map(\.event) == [.lowThroughput])

        try setMode("inclusion_stalled")
        let stalled = try await check("inclusion", [])
        #expect(stalled.status == 1 && stalled.report.instability == [.txInclusion], "\(stalled.report.findings)")

        try setMode("reorg")
        let reorged = try await check("reorg", ["--reorg-limit", "1"])
        #expect(reorged.report.hosts.allSatisfy { $0.reorgs == 1 } && reorged.report.instability == [.chainReorg])

        try setMode("advancing")
        let log = AztecFleetSandbox.stateFolder(sandbox, 2).appendingPathComponent("container.log")
        try FileManager.default.removeItem(at: log)
        try FileManager.default.copyItem(at: SanityFixtures.url("validator-bridge-errors.jsonl"), to: log)
        let bridge = try await check("bridge", [])
        #expect(bridge.status == 1 && bridge.report.instability == [.bridgeFailure])
        #expect(bridge.report.hosts[1].findings.map(\.row) == [.bridgeContractIssues, .bridgeContractIssues] && bridge.report.hosts[0].findings.isEmpty)
    }

    @Test func aLogOfManyMegabytesStreamsThroughAndTheContainerCanBeNamed() async throws {
        let sandbox = try currentSandbox()
        try await Self.prepare(sandbox, [Node(index: 1, log: "healthy-validator.jsonl", mode: "advancing"),
                                         Node(index: 2, log: "healthy-validator.jsonl", state: nil, mode: "advancing")])
        try AztecFleetSandbox.setState(sandbox, 1, "container.name", "my-node")
        try AztecFleetSandbox.setState(sandbox, 2, "container.name", "my-node")
        try AztecFleetSandbox.setState(sandbox, 1, "container.log.repeat", "3000")
        let work = sandbox.directory.appendingPathComponent("sanity-long")
        let output = try await Self.run(sandbox, ["--window", "0", "--container", "my-node", "--role", "validator", "--limit", "h1,h2", "--json"], work: work)
        #expect(output.status == 1, "\(String(decoding: output.standardError, as: UTF8.self))")
        let report = try Self.decode(output.standardOutput)
        let logs = try #require(report.hosts.first?.observation.logs)
        let size = try SanityFixtures.data("healthy-validator.jsonl").count
        #expect(logs.lines == 55 * 3000 && logs.bytes == size * 3000, "every byte of a \(size * 3000 / 1_000_000) MB log was scanned")
        #expect(logs.count(of: "block-processing") == 12 * 3000)
        // The fixture starts the node once: repeated 3000 times, that is 2999 restarts.
        #expect(report.hosts.first?.roleInferred == false && report.hosts.first?.findings.map(\.event) == [.persistentCrashes])
        #expect(report.hosts.first?.findings.first?.summary == "2999 restarts, 0 crash lines")
        let missing = try #require(report.hosts.last)
        #expect(missing.findings.map(\.event) == [.nodeStability] && missing.findings.first?.criticality == .major)
        #expect(missing.findings.first?.summary.hasPrefix("the log could not be read: no node container: Error: No such object: my-node") == true)
        #expect(report.network.isEmpty, "no window, no stall check")
    }

    @Test func aReferenceNodeAskedFromThisMachine() async throws {
        let sandbox = try currentSandbox()
        try await Self.prepare(sandbox, [Node(index: 1, log: "healthy-validator.jsonl", mode: "advancing"),
                                         Node(index: 2, log: "healthy-validator.jsonl", mode: "advancing")])
        let port = try LoopbackPort.free()
        let pidFile = sandbox.directory.appendingPathComponent("reference.pid").path
        let started = try await ProcessRunner.run(ProcessRequest(
            executable: "/usr/bin/python3",
            arguments: [AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path, "--mode", "advancing", "--port", String(port),
                        "--proven", "1000", "--daemon", "--pidfile", pidFile], timeout: .seconds(30)))
        #expect(started.status == 0)
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }
        let work = sandbox.directory.appendingPathComponent("sanity-reference")
        let output = try await Self.run(sandbox, ["--window", "1s", "--limit", "h1,h2", "--reference", "http://127.0.0.1:\(port)", "--json"], work: work)
        #expect(output.status == 1)
        let report = try Self.decode(output.standardOutput)
        #expect(report.reference?.source == "the reference http://127.0.0.1:\(port)")
        #expect((report.reference?.block ?? 0) > 1000)
        #expect(report.hosts.allSatisfy { ($0.lag ?? 0) > 900 && $0.findings.first?.event == .syncProblem })
        #expect(report.network.map(\.event) == [.syncProblem] && report.verdict == .unstable)
    }
}
