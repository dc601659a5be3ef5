import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `gonka-deploy status` on three deployed nodes: one healthy, one jailed, one lagging in
/// state sync; then all healthy.
extension GonkaDeployFleetTests {
    @Test func statusTellsHealthyJailedAndLaggingNodesApart() async throws {
        let sandbox = try currentSandbox()
        for host in 1...3 { try await GonkaDeploySandbox.prepare(sandbox, host: host, filesystem: "ext4") }
        let folder = try workFolder(sandbox)
        defer { try? FileManager.default.removeItem(at: folder) }
        let deploy = try await GonkaDeploySandbox.run(sandbox, ["nodes", "--yes"], in: folder)
        #expect(deploy.status == 0, "\(deploy.console)")

        // node-b's validator is jailed with 60 missed blocks (the seed node's record, kept in host 1's state).
        let validator = "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"
        try validator.write(to: GonkaDeploySandbox.stateFolder(sandbox, host: 2).appendingPathComponent("validator-address"), atomically: false, encoding: .utf8)
        let consensus = try Bech32.encode(prefix: "gonkavalcons", data: try #require(Hex.decode(validator)))
        let record = #"{"val_signing_info": {"address": "\#(consensus)", "missed_blocks_counter": "60", "jailed_until": "2999-01-01T00:00:00.123456789Z"}}"#
        let recordFile = GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("signing-info-\(consensus)")
        try record.write(to: recordFile, atomically: false, encoding: .utf8)
        // node-c lags: 1000 blocks behind, catching up, state sync at chunk 42.
        let lagging = GonkaDeploySandbox.stateFolder(sandbox, host: 3)
        for (name, text) in [("node-height", "1999000"), ("catching-up", "true"), ("node.log", "INF applying snapshot chunk chunk=42 format=3\n")] {
            try text.write(to: lagging.appendingPathComponent(name), atomically: false, encoding: .utf8)
        }

        let text = try await GonkaDeploySandbox.run(sandbox, ["status", "nodes", "--prometheus", "gonka.prom"], in: folder)
        #expect(text.status == 1, "two nodes need attention: \(text.console)")
        // The same readings as gauges for node_exporter's textfile collector.
        let gauges = try String(contentsOf: folder.appendingPathComponent("gonka.prom"), encoding: .utf8)
        for line in [#"gonka_node_up{node="node-a"} 1"#, #"gonka_node_jailed{node="node-a"} 0"#, #"gonka_node_jailed{node="node-b"} 1"#,
                     #"gonka_node_missed_blocks{node="node-b"} 60"#, #"gonka_node_blocks_behind{node="node-c"} 1000"#,
                     #"gonka_node_catching_up{node="node-c"} 1"#, #"gonka_node_gpus{node="node-a"} 1"#, #"gonka_ml_node_healthy{node="node-a"} 1"#] {
            #expect(gauges.contains(line + "\n"), "\(line) in \(gauges)")
        }
        #expect(text.stdout.contains("node-a (fleettest@\(sandbox.hosts[0].address)): OK\n  services:      all running\n"), "\(text.stdout)")
        #expect(text.stdout.contains("  ML node:       healthy, INFERENCE, 1 GPU seen\n"))
        #expect(text.stdout.contains("node-b (fleettest@\(sandbox.hosts[1].address)): NEEDS ATTENTION\n"))
        #expect(text.stdout.contains("  validator:     jailed, 60 missed blocks\n") && text.stdout.contains("  ! the validator is jailed (missed 60 blocks)\n"))
        #expect(text.stdout.contains("  height:        1999000 (network 2000000), catching up, state sync chunk 42/368\n"), "\(text.stdout)")
        #expect(text.stdout.contains("  ! the node is 1000 blocks behind the network (1999000 of 2000000)\n"))
        #expect(text.stdout.hasSuffix("\n2 of 3 nodes need attention.\n"))

        let json = try await GonkaDeploySandbox.run(sandbox, ["status", "nodes/a.conf", "nodes/b.conf", "nodes/c.conf", "--json"], in: folder)
        #expect(json.status == 1)
        let report = try JSONDecoder().decode(NodeStatusReportShape.self, from: Data(json.stdout.utf8))
        #expect(report.nodes.map(\.keyName) == ["node-a", "node-b", "node-c"])
        #expect(report.nodes[0].attention.isEmpty && report.nodes[0].jailed == false && report.nodes[0].inCurrentEpoch == true, "\(json.stdout)")
        #expect(report.nodes[0].height == 2_000_100 && report.nodes[0].gpusSeen == 1 && (report.nodes[0].diskFreeMiB ?? 0) > 0)
        #expect(report.nodes[1].jailed == true && report.nodes[1].missedBlocks == 60)
        #expect(report.nodes[2].catchingUp == true && report.nodes[2].stateSyncChunk == 42 && report.nodes[2].networkHeight == 2_000_000)

        // Unjailed and caught up: every node fine, exit 0.
        try FileManager.default.removeItem(at: recordFile)
        for name in ["node-height", "catching-up"] { try FileManager.default.removeItem(at: lagging.appendingPathComponent(name)) }
        let healthy = try await GonkaDeploySandbox.run(sandbox, ["status", "nodes"], in: folder)
        #expect(healthy.status == 0 && healthy.stdout.hasSuffix("\nAll 3 nodes OK.\n"), "\(healthy.console)")

        // A node whose ML node stopped needs attention.
        try FileManager.default.removeItem(at: lagging.appendingPathComponent("running.mlnode"))
        let mlDown = try await GonkaDeploySandbox.run(sandbox, ["status", "nodes/c.conf"], in: folder)
        #expect(mlDown.status == 1 && mlDown.stdout.contains("  ! services not running: mlnode\n")
                && mlDown.stdout.contains("  ! the ML node does not answer its health check\n"), "\(mlDown.stdout)")
    }
}

/// The fields of `status --json` the test reads.
struct NodeStatusReportShape: Decodable {
    struct Node: Decodable {
        let keyName: String
        let attention: [String]
        let jailed: Bool?
        let missedBlocks: Int?
        let inCurrentEpoch: Bool?
        let height: Int?
        let networkHeight: Int?
        let catchingUp: Bool?
        let stateSyncChunk: Int?
        let gpusSeen: Int?
        let diskFreeMiB: Int?
    }

    let nodes: [Node]
}
