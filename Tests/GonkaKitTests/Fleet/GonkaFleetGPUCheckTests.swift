import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The GPU check in a run of several nodes: each node's server is judged on its own, a node
/// whose GPUs cannot run its configuration is refused without stopping the others, and a
/// node that leaves its profile open gets the one for its GPUs, named in the recap.
extension GonkaDeployFleetTests {
    @Test func eachNodesGPUsAreCheckedAndARefusedNodeStopsNoOther() async throws {
        let sandbox = try currentSandbox()
        for host in 1...3 { try await GonkaDeploySandbox.prepare(sandbox, host: host, filesystem: "ext4") }
        let gpus = [1: String(repeating: "NVIDIA GeForce RTX 4090, 24564\n", count: 8), 2: "NVIDIA GeForce RTX 4090, 24564\n"]
        for (host, list) in gpus {
            try list.write(to: GonkaDeploySandbox.stateFolder(sandbox, host: host).appendingPathComponent("gpus"), atomically: true, encoding: .utf8)
        }
        let folder = try workFolder(sandbox, extra: [1: ["NODE_CONFIG_PROFILE": "auto"]])
        defer { try? FileManager.default.removeItem(at: folder) }

        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/", "--yes", "--phase", "1"], in: folder)
        #expect(run.status == 1, "node-b was refused: \(run.console)")
        #expect(run.stdout.range(of: "\nnodes/a.conf +node-a +fleettest@\\S+ +auto +Qwen/Qwen3-32B-FP8 ", options: .regularExpression) != nil, "\(run.stdout)")
        #expect(run.stdout.contains("node-a: [OK] NODE_CONFIG_PROFILE=auto: picked x8-4090, the official 8x4090 configuration"), "\(run.console)")
        #expect(run.stderr.contains("node-b: [ERROR] Refusing to deploy: the server's GPUs cannot run the node's configuration"), "\(run.console)")
        #expect(run.stdout.contains("node-a: [OK] Phase 1 completed:") && run.stdout.contains("node-c: [OK] Phase 1 completed:"), "\(run.console)")
        #expect(!run.stdout.contains("node-b: [OK] Phase 1 completed:"))
        #expect(GonkaDeploySandbox.calls(sandbox, host: 2) == [ServerGPUs.command], "nothing but the GPU reading on node-b's server")

        let recap = try #require(run.stdout.components(separatedBy: "     RECAP: 3 nodes\n").last)
        #expect(recap.range(of: "\nnode-b +fleettest@\\S+ +refused: the server's GPUs cannot run its configuration", options: .regularExpression) != nil, "\(recap)")
        #expect(recap.contains("\nnode-a: NODE_CONFIG_PROFILE=auto: x8-4090, the official 8x4090 configuration, picked for the GPUs\n"), "\(recap)")
        #expect(recap.contains("1 of 3 nodes failed; see their logs."))
    }
}
