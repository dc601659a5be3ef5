import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The Prometheus text `status --prometheus` writes: exact gauges for a healthy, a jailed and
/// lagging, and an unreachable node; label values escaped (promtool parses the page); the
/// file replaced atomically.
@Suite(.tags(.unit)) struct NodeStatusMetricsTests {
    static let now = Date(timeIntervalSince1970: 1_765_000_000)

    static func healthy(_ keyName: String) -> NodeStatus {
        var status = NodeStatus(keyName: keyName, server: "ubuntu@10.0.0.1")
        status.reachable = true
        status.servicesDown = []
        status.height = 1000
        status.networkHeight = 1002
        status.catchingUp = false
        status.participantRegistered = true
        status.inCurrentEpoch = true
        status.jailed = false
        status.missedBlocks = 3
        status.mlNodeHealthy = true
        status.gpusSeen = 8
        status.diskFreeMiB = 250
        status.diskTotalMiB = 1000
        return status
    }

    @Test func rendersEveryGaugeOfEachNodeAndLeavesUnknownReadingsOut() {
        var troubled = Self.healthy("node2")
        troubled.servicesDown = ["api"]
        troubled.height = 700
        troubled.catchingUp = true
        troubled.jailed = true
        troubled.missedBlocks = 60
        troubled.mlNodeHealthy = false
        troubled.gpusSeen = nil
        troubled.diskFreeMiB = nil
        let unreachable = NodeStatus(keyName: "node3", server: "ubuntu@10.0.0.3")
        let text = NodeStatusMetrics.text(NodeStatusReport(nodes: [Self.healthy("node1"), troubled, unreachable]), now: Self.now)
        #expect(text == """
            # HELP gonka_node_up 1 when the server answers, every service of both compose files runs and the node gives its block height
            # TYPE gonka_node_up gauge
            gonka_node_up{node="node1"} 1
            gonka_node_up{node="node2"} 0
            gonka_node_up{node="node3"} 0
            # HELP gonka_node_reachable 1 when the server answered over SSH
            # TYPE gonka_node_reachable gauge
            gonka_node_reachable{node="node1"} 1
            gonka_node_reachable{node="node2"} 1
            gonka_node_reachable{node="node3"} 0
            # HELP gonka_node_services_down Services of both compose files that are not running
            # TYPE gonka_node_services_down gauge
            gonka_node_services_down{node="node1"} 0
            gonka_node_services_down{node="node2"} 1
            # HELP gonka_node_height The node's latest block height
            # TYPE gonka_node_height gauge
            gonka_node_height{node="node1"} 1000
            gonka_node_height{node="node2"} 700
            # HELP gonka_node_network_height The network's latest block height, from the seed node
            # TYPE gonka_node_network_height gauge
            gonka_node_network_height{node="node1"} 1002
            gonka_node_network_height{node="node2"} 1002
            # HELP gonka_node_blocks_behind Blocks the node is behind the network
            # TYPE gonka_node_blocks_behind gauge
            gonka_node_blocks_behind{node="node1"} 2
            gonka_node_blocks_behind{node="node2"} 302
            # HELP gonka_node_catching_up 1 while the node says it is catching up
            # TYPE gonka_node_catching_up gauge
            gonka_node_catching_up{node="node1"} 0
            gonka_node_catching_up{node="node2"} 1
            # HELP gonka_node_participant_registered 1 when the cold account is a registered participant
            # TYPE gonka_node_participant_registered gauge
            gonka_node_participant_registered{node="node1"} 1
            gonka_node_participant_registered{node="node2"} 1
            # HELP gonka_node_in_current_epoch 1 when the participant is in the current epoch
            # TYPE gonka_node_in_current_epoch gauge
            gonka_node_in_current_epoch{node="node1"} 1
            gonka_node_in_current_epoch{node="node2"} 1
            # HELP gonka_node_jailed 1 while the validator is jailed
            # TYPE gonka_node_jailed gauge
            gonka_node_jailed{node="node1"} 0
            gonka_node_jailed{node="node2"} 1
            # HELP gonka_node_missed_blocks Blocks the validator missed in the signing window (jailed below 50 signed of 100)
            # TYPE gonka_node_missed_blocks gauge
            gonka_node_missed_blocks{node="node1"} 3
            gonka_node_missed_blocks{node="node2"} 60
            # HELP gonka_ml_node_healthy 1 when the ML node answers its health check
            # TYPE gonka_ml_node_healthy gauge
            gonka_ml_node_healthy{node="node1"} 1
            gonka_ml_node_healthy{node="node2"} 0
            # HELP gonka_node_gpus GPUs the ML node lists
            # TYPE gonka_node_gpus gauge
            gonka_node_gpus{node="node1"} 8
            # HELP gonka_node_data_free_ratio Free share of the data volume (0 to 1)
            # TYPE gonka_node_data_free_ratio gauge
            gonka_node_data_free_ratio{node="node1"} 0.25
            # HELP gonka_status_last_run_timestamp_seconds When the status was read (Unix time)
            # TYPE gonka_status_last_run_timestamp_seconds gauge
            gonka_status_last_run_timestamp_seconds 1765000000

            """)
        #expect(PrometheusText.problems(in: NodeStatusMetrics.families(NodeStatusReport(nodes: [Self.healthy("a")]), now: Self.now)).isEmpty)
    }

    @Test func escapesQuotesBackslashesAndNewlinesInTheNodeLabel() {
        let text = NodeStatusMetrics.text(NodeStatusReport(nodes: [Self.healthy("we\"ird\\name\nx")]), now: Self.now)
        #expect(text.contains(#"gonka_node_up{node="we\"ird\\name\nx"} 1"#))
        #expect(!text.contains("name\nx"))
    }

    @Test func promtoolParsesThePageWithAnOddNodeName() async throws {
        var odd = Self.healthy("odd \"node\"\\1\nx")
        odd.jailed = true
        let text = NodeStatusMetrics.text(NodeStatusReport(nodes: [Self.healthy("node1"), odd, NodeStatus(keyName: "n3", server: "u@h")]), now: Self.now)
        let promtool = "/usr/bin/promtool"
        #expect(FileManager.default.isExecutableFile(atPath: promtool), "\(promtool) is missing: run scripts/setup.sh tests (Debian prometheus)")
        let output = try await ProcessRunner.run(ProcessRequest(executable: promtool, arguments: ["check", "metrics"], standardInput: Data(text.utf8), timeout: .seconds(120)))
        #expect(output.status == 0, "\(String(decoding: output.standardOutput + output.standardError, as: UTF8.self))")
    }

    @Test func writesTheFileAtomicallyReplacingTheLastOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gonka-prom-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("gonka.prom")
        try "old\n".write(to: file, atomically: false, encoding: .utf8)
        let report = NodeStatusReport(nodes: [Self.healthy("node1")])
        try NodeStatusMetrics.write(report, to: file, now: Self.now)
        #expect(try String(contentsOf: file, encoding: .utf8) == NodeStatusMetrics.text(report, now: Self.now))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["gonka.prom"])
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }
}
