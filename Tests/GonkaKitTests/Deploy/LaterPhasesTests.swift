import FleetKit
import FleetTestSupport
import Foundation
@testable import GonkaKit
import Testing

/// The pure parts of phases 5 to 8: what is read from the server's answers, when a sync is
/// stuck, the lines of verification.txt, the grant's command and outcome, the final report.
@Suite(.tags(.unit)) struct LaterPhasesTests {
    func config(_ overrides: [String: String] = [:]) throws -> NodeConfig {
        try NodeConfig.parse(GonkaFixtures.nodeFile(overrides), file: "nodes/node1.conf", environment: [:])
    }

    @Test func heightAndChunkAreReadFromTheNodesAnswers() {
        #expect(NodeServerProbe.latestHeight(inStatus: Data(#"{"result":{"sync_info":{"latest_block_height":"2000100"}}}"#.utf8)) == 2_000_100)
        #expect(NodeServerProbe.latestHeight(inStatus: Data(#"{"result":{"sync_info":{"latest_block_height":null}}}"#.utf8)) == nil)
        #expect(NodeServerProbe.latestHeight(inStatus: Data("not json".utf8)) == nil)
        #expect(NodeServerProbe.latestHeight(inStatus: Data(#"{"NodeInfo":{},"SyncInfo":{"latest_block_height":"1500","catching_up":true}}"#.utf8)) == 1500,
                "inferenced status inside the container")
        #expect(NodeServerProbe.latestHeight(inStatus: Data(#"{"sync_info":{"latest_block_height":42}}"#.utf8)) == 42)
        let log = "INF chunk=12 format=3\nINF Applied snapshot chunk to ABCI app chunk=13 format=3 height=1999000\nINF other\n"
        #expect(NodeServerProbe.lastChunk(inLog: log) == 13)
        #expect(NodeServerProbe.lastChunk(inLog: "no progress yet") == nil)
        #expect(NodeServerProbe.lastChunk(inLog: "chunk=") == nil)
    }

    @Test func aSyncIsStuckAfterTheLimitOfUnchangedReadings() {
        var detector = StateSyncWait.StuckDetector(limit: 3)
        let early = [5, 5, nil, 5].map { detector.observe($0) }
        #expect(early == [false, false, false, false])
        let fourth = detector.observe(5)
        #expect(fourth, "the fourth reading of chunk 5 is the third unchanged one")
        var moving = StateSyncWait.StuckDetector(limit: 3)
        let readings = [1, 1, 2, 2, 3, 3, 4].map { moving.observe($0) }
        #expect(!readings.contains(true))
    }

    @Test func gpuAdminAndSetupAnswers() throws {
        #expect(GPUMemory(nvidiaSMILine: "76000, 81559") == GPUMemory(usedMiB: 76000, totalMiB: 81559))
        #expect(GPUMemory(nvidiaSMILine: "[N/A], [N/A]") == nil)
        #expect(GPUMemory(usedMiB: 30001, totalMiB: 1).modelLoaded && !GPUMemory(usedMiB: 30000, totalMiB: 1).modelLoaded)
        let nodes = AdminNodes(json: #"[{"node":{"id":"a"},"state":{"current_status":"LOADING","intended_status":"INFERENCE"}},{"node":{"id":"b"}}]"#)
        #expect(nodes.count == 2 && nodes.firstCurrentStatus == "LOADING" && nodes.firstIntendedStatus == "INFERENCE")
        #expect(AdminNodes(json: "[]").count == 0 && AdminNodes(json: "{\"error\":1}").count == 0)
        let report = try #require(SetupReport(json: #"{"overall_status":"FAIL","summary":{"passed":1,"total":3},"issues":["MLNode unreachable",{"message":"no grant"}],"checks":[{"id":"block_sync","status":"PASS"},{"id":"permissions_granted","status":"FAIL"}]}"#))
        #expect(report.overallStatus == "FAIL" && report.passed == 1 && report.total == 3)
        #expect(report.issues == ["MLNode unreachable", "no grant"])
        #expect(report.checkStatus == ["block_sync": "PASS", "permissions_granted": "FAIL"])
        #expect(SetupReport(json: "<html>") == nil)
    }

    @Test func verificationLinesForAFailingNode() async throws {
        var findings = VerificationFindings()
        findings.participantURL = "http://seed/v1/participants/gonka1x"
        findings.adminNodes = AdminNodes(json: "[]")
        findings.gpuMemory = GPUMemory(usedMiB: 2048, totalMiB: 81920)
        findings.containerErrors = [ContainerErrorCount(container: "node", count: 4), ContainerErrorCount(container: "api", count: 0)]
        findings.serviceState = "LOADING"
        findings.vLLMAnswers = true
        findings.setupReport = SetupReport(json: #"{"overall_status":"FAIL","passed":1,"total":3,"issues":["MLNode unreachable"]}"#)
        #expect(VerificationReport.lines(findings) == [
            "✗ Participant not found", "✗ Node RPC not responding", "✗ Dashboard not responding", "✗ MLNode container not found",
            "", "API NODE CONFIGURATION:", "✗ nodes: EMPTY (check node-config.json format!)", "⚠ merged_node_config: false",
            "⏳ GPU memory: 2GB / 80GB (loading)",
            "", "CONTAINER LOGS:", "⚠ node: 4 error lines", "✓ api: no errors",
            "", "SERVICE STATE:", "⏳ service_state: LOADING",
            "", "VLLM MODEL:", "⚠ vLLM model: no model loaded",
            "", "SETUP REPORT:", "⚠ setup_report: FAIL (1/3 passed)", "  Issues:", "    - MLNode unreachable",
        ])
        findings.mlNodeContainer = "join-mlnode-1"
        findings.pyTorchLine = "CUDA:False,GPUs:0,Version:None"
        findings.gpuDevices = "[]"
        findings.adminNodes = AdminNodes(json: #"[{"state":{"current_status":"STOPPED"}}]"#)
        let lines = VerificationReport.lines(findings)
        #expect(lines.contains("✗ CUDA GPU not detected") && lines.contains("✗ PyTorch CUDA issue: CUDA:False,GPUs:0,Version:None"))
        #expect(lines.contains("  GPU devices: []") && lines.contains("⚠ current_status: STOPPED (expected: INFERENCE)"))
        let text = VerificationReport.text(findings, generatedAt: Date(timeIntervalSince1970: 0), completedAt: Date(timeIntervalSince1970: 60))
        for seconds in [0, 86_400 * 40, 1_795_000_000] {
            var environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]
            environment["TZ"] = ProcessInfo.processInfo.environment["TZ"]
            let date = try await GonkaFixtures.bash("date -d @\(seconds)", environment: environment)
            #expect(VerificationReport.dateText(Date(timeIntervalSince1970: Double(seconds))) == date.output.trimmingCharacters(in: .newlines))
        }
        #expect(text.hasPrefix("GONKA NODE VERIFICATION REPORT\nGenerated at: ") && text.hasSuffix("\nVerification completed at: \(VerificationReport.dateText(Date(timeIntervalSince1970: 60)))\n"))
    }

    @Test func missingContainersAreReportedMissingNotErrorFree() {
        let missing = ContainerErrorCount(container: "node", probeOutput: "missing\n")
        #expect(!missing.exists)
        #expect(ContainerErrorCount(container: "api", probeOutput: "3\n") == ContainerErrorCount(container: "api", count: 3))
        #expect(ContainerErrorCount(container: "api", probeOutput: "0\n").exists)
        var findings = VerificationFindings()
        findings.containerErrors = [missing, ContainerErrorCount(container: "api", probeOutput: "0")]
        let lines = VerificationReport.lines(findings)
        #expect(lines.contains("✗ node: container not found"))
        #expect(!lines.contains("✓ node: no errors"))
        #expect(lines.contains("✓ api: no errors"))
        let probe = ContainerErrorCount.probe("node", asRoot: "as_root")
        #expect(probe.contains("docker inspect") && probe.contains("echo missing"))
    }

    @Test func theContainerProbeSaysMissingWhenDockerKnowsNoSuchContainer() async throws {
        // A docker that knows no container (`inspect` fails) and whose `logs` prints an
        // error-free line, as a docker missing the container could print nothing at all.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let docker = folder.appendingPathComponent("docker")
        try "#!/bin/sh\ncase \"$1\" in inspect) exit 1 ;; logs) echo quiet ;; esac\n".write(to: docker, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: docker.path)
        let script = "as_root() { \"$@\"; }; PATH=\(folder.path):$PATH; " + ContainerErrorCount.probe("node", asRoot: "as_root")
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script], timeout: .seconds(30)))
        let text = String(decoding: output.standardOutput, as: UTF8.self)
        #expect(!ContainerErrorCount(container: "node", probeOutput: text).exists, "\(text)")
    }

    @Test func grantCommandAndOutcome() throws {
        let plain = try config()
        #expect(MLOpsGrant.manualCommand(plain, warmAddress: "gonka1warm")
            == "inferenced tx inference grant-ml-ops-permissions <COLD_KEY_NAME> gonka1warm --from <COLD_KEY_NAME> --keyring-backend file --gas 2000000 --node \(plain.grantNodeURL)")
        let named = try config(["COLD_KEY_NAME": "\"cold-1\"", "GRANT_NODE_URL": "\"http://10.0.0.1:26657/chain-rpc/\""])
        #expect(MLOpsGrant.manualCommand(named, warmAddress: "gonka1warm")
            == "inferenced tx inference grant-ml-ops-permissions cold-1 gonka1warm --from cold-1 --keyring-backend file --gas 2000000 --node http://10.0.0.1:26657/chain-rpc/")
        #expect(MLOpsGrant.outcome(ofOutput: "…\nTransaction confirmed successfully\n  Block height: 77\n") == .confirmed(blockHeightLine: "Block height: 77"))
        #expect(MLOpsGrant.outcome(ofOutput: "Error: rpc error: account gonka1cold not found: key not found") == .coldAccountNotFound)
        #expect(MLOpsGrant.outcome(ofOutput: "Error: out of gas") == .unclear)
    }

    @Test func stuckSyncFixDecisionsAndIPTablesListing() {
        #expect(ChainData.fixDecision(sizeMiB: 1001) == .keep && ChainData.fixDecision(sizeMiB: 1000) == .remove)
        let before = ["-A OUTPUT -d 198.51.100.1/32 -j DROP", "-A OUTPUT -j ACCEPT"]
        let after = before + ["-A OUTPUT -d 198.51.100.1/32 -j DROP", "-A OUTPUT -d 203.0.113.7/32 -j DROP"]
        #expect(IPTablesRules.added(before: before, after: after) == ["-A OUTPUT -d 198.51.100.1/32 -j DROP", "-A OUTPUT -d 203.0.113.7/32 -j DROP"],
                "a rule the script adds a second time counts as added once more")
        #expect(IPTablesRules.words(#"-A OUTPUT -m comment --comment "block \"bad\" peers" -j DROP"#)
            == ["-A", "OUTPUT", "-m", "comment", "--comment", #"block "bad" peers"#, "-j", "DROP"])
        #expect(StuckSyncFix.scriptExpression(StuckSyncFix.originalPeerFilterScript) == "\"$HOME\"/prometheus/iptables_disable_peers.sh")
        #expect(StuckSyncFix.scriptExpression("/opt/x y/f.sh") == "'/opt/x y/f.sh'")
        #expect(StuckSyncFix.scriptExpression("$HOME/a';b") == #""$HOME"/'a'\'';b'"#)
    }

    @Test func stateSyncCountsAsSetUpOnlyWithOurServersAndATrustedBlock() {
        let ours = "rpc_servers = \"http://node2.gonka.ai:26657,http://node1.gonka.ai:26657\"\n"
        let set = "[statesync]\nenable = true\n" + ours + "trust_height = 1999000\ntrust_hash = \"ABCD\"\n"
        #expect(BlockchainConfigurationPhase.configuredTrustHeight(configTOML: set) == 1_999_000)
        let theNodesOwn = set.replacingOccurrences(of: ours, with: "rpc_servers = \"http://seed:26657,http://seed:26657\"\n")
        #expect(BlockchainConfigurationPhase.configuredTrustHeight(configTOML: theNodesOwn) == nil, "settings of the node's own first start are replaced")
        #expect(BlockchainConfigurationPhase.configuredTrustHeight(configTOML: "[statesync]\nenable = false\n" + ours + "trust_height = 5\ntrust_hash = \"AB\"\n") == nil)
        #expect(BlockchainConfigurationPhase.configuredTrustHeight(configTOML: "[statesync]\nenable = true\n" + ours + "trust_height = 0\ntrust_hash = \"\"\n") == nil)
        #expect(BlockchainConfigurationPhase.configuredTrustHeight(configTOML: "enable = true\n[other]\ntrust_height = 9\n") == nil)
    }

    @Test func waitsOutsideTheirRangesAreRefused() {
        #expect(throws: DeployWaitsError.self) {
            try DeployWaits(settle: .seconds(1), syncCheckInterval: .zero, syncChecks: 1, modelCheckInterval: .seconds(1), modelWait: .zero)
        }
        #expect(throws: DeployWaitsError.self) {
            try DeployWaits(settle: .seconds(-1), syncCheckInterval: .seconds(1), syncChecks: 1, modelCheckInterval: .seconds(1), modelWait: .zero)
        }
        #expect(throws: DeployWaitsError.self) {
            try DeployWaits(settle: .zero, syncCheckInterval: .seconds(1), syncChecks: 1, stuckAfter: 0, modelCheckInterval: .seconds(1), modelWait: .zero)
        }
        #expect(throws: DeployWaitsError.self) {
            try DeployWaits(settle: .zero, syncCheckInterval: .seconds(3600), syncChecks: 6, modelCheckInterval: .seconds(1), modelWait: .zero)
        }
        #expect(throws: DeployWaitsError.self) {
            try DeployWaits(settle: .zero, syncCheckInterval: .seconds(1), syncChecks: 1, modelCheckInterval: .seconds(1), modelWait: .seconds(86_400))
        }
        #expect((try? DeployWaits(settle: .zero, syncCheckInterval: .seconds(1), syncChecks: 0, modelCheckInterval: .seconds(1), modelWait: .zero)) != nil)
        #expect(DeployWaits.original.syncWaitLimit < .seconds(6 * 3600) && DeployWaits.original.modelWaitLimit < .seconds(6 * 3600))
    }

    @Test func theFinalReportListsOnlyFilesThatExist() throws {
        let config = try config()
        let folder = URL(fileURLWithPath: "/work/nodes/quick-newton")
        let present: Set<String> = ["config.env", "warm_address.txt", "grant.txt"]
        let lines = DeploymentSummary.lines(config, warmAddress: "gonka1warm", localFolder: folder, logFile: URL(fileURLWithPath: "/work/logs/x.log")) {
            present.contains($0.lastPathComponent)
        }
        #expect(lines.contains("  Config:         /work/nodes/quick-newton/config.env"))
        #expect(lines.contains("  Grant:          /work/nodes/quick-newton/grant.txt"))
        #expect(lines.contains("  Full Log:       /work/logs/x.log"))
        #expect(!lines.contains { $0.contains("volume.txt") || $0.contains("registration.txt") || $0.contains("warm_key.txt") })
        #expect(lines.contains("  Cold PubKey:    \(config.accountPublicKey.base64)") && lines.contains("  Warm Address:   gonka1warm"))
        #expect(lines.first == String(repeating: "=", count: 40) && lines.last == String(repeating: "=", count: 40))
    }
}
