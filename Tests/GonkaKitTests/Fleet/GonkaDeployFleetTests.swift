import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Several nodes in one run against three sandbox hosts: every node file checked first, one
/// table and one go-ahead, the nodes side by side, one failing mid-way without stopping the others.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct GonkaDeployFleetTests {
    /// A compressed secp256k1 key the fake seed API knows nothing of, so its node always registers.
    static let unknownAccount = "AhERERERERERERERERERERERERERERERERERERERERER"

    /// A work folder with `nodes/<name>.conf` for each host: node-a on host 1, node-b on 2, node-c on 3.
    func workFolder(_ sandbox: SandboxHosts, extra: [Int: [String: String]] = [:]) throws -> URL {
        let folder = try GonkaFixtures.temporaryFolder()
        let nodes = folder.appendingPathComponent("nodes")
        try FileManager.default.createDirectory(at: nodes, withIntermediateDirectories: true)
        for (host, name) in [(1, "a"), (2, "b"), (3, "c")] {
            let settings = ["KEY_NAME": "\"node-\(name)\""].merging(extra[host] ?? [:]) { $1 }
            try GonkaDeploySandbox.nodeFile(sandbox, host: host, extra: settings)
                .write(to: nodes.appendingPathComponent("\(name).conf"), atomically: true, encoding: .utf8)
        }
        try "SERVER_IP=\"x\"\n".write(to: nodes.appendingPathComponent("node1.conf.example"), atomically: true, encoding: .utf8)
        return folder
    }

    @Test func threeNodesDeployInOneRunAndOneFailingMidwayStopsNoOther() async throws {
        let sandbox = try currentSandbox()
        for host in 1...3 { try await GonkaDeploySandbox.prepare(sandbox, host: host, filesystem: "ext4") }
        // node-b's registration fails in phase 4; its own account, so no other node registers it first.
        try "".write(to: GonkaDeploySandbox.stateFolder(sandbox, host: 2).appendingPathComponent("fail-registration"), atomically: false, encoding: .utf8)
        let folder = try workFolder(sandbox, extra: [2: ["ACCOUNT_PUBKEY": "\"\(Self.unknownAccount)\""]])
        defer { try? FileManager.default.removeItem(at: folder) }

        // Without a terminal and without --yes or AUTO_CONFIRM: refused before any connection.
        let logins = try (1...3).map { try sandbox.acceptedLogins($0) }
        let refused = try await GonkaDeploySandbox.run(sandbox, ["nodes"], in: folder)
        #expect(refused.status == 2 && refused.stderr.contains("--yes"), "\(refused.console)")
        #expect(try (1...3).map { try sandbox.acceptedLogins($0) } == logins)

        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/", "--yes", "--parallel", "2"], in: folder)
        #expect(run.status == 1, "one node failed: \(run.console)")
        // One table, one go-ahead.
        #expect(run.stdout.contains("     GONKA NODE DEPLOYMENT: 3 nodes\n"))
        for (name, host) in [("a", 0), ("b", 1), ("c", 2)] {
            #expect(run.stdout.range(of: "\nnodes/\(name).conf +node-\(name) +fleettest@\(sandbox.hosts[host].address) +x1 +Qwen/Qwen3-32B-FP8 +21 chars ",
                                     options: .regularExpression) != nil, "table row of node-\(name): \(run.stdout)")
        }
        #expect(!run.console.contains(GonkaDeploySandbox.password))
        #expect(run.stdout.components(separatedBy: "Please verify all parameters above.").count == 2, "asked once")
        #expect(!run.stdout.contains("     GONKA NODE DEPLOYMENT SCRIPT"), "no parameter block per node")
        #expect(!run.stdout.contains("node1.conf.example"))

        // node-a and node-c ran every phase; node-b stopped in phase 4 and said why.
        for name in ["a", "c"] {
            for phase in 1...8 { #expect(run.stdout.contains("node-\(name): [OK] Phase \(phase) completed:"), "node-\(name) phase \(phase): \(run.console)") }
        }
        #expect(run.stdout.contains("node-b: [OK] Phase 3 completed:") && !run.stdout.contains("node-b: [OK] Phase 4 completed:"))
        #expect(run.stderr.contains("node-b: [ERROR] Deployment failed: phase 4: participant registration: register-new-participant failed"), "\(run.console)")
        #expect(GonkaDeploySandbox.calls(sandbox, host: 1).contains("docker compose -f docker-compose.yml -f docker-compose.mlnode.yml up -d"))
        #expect(GonkaDeploySandbox.calls(sandbox, host: 3).contains("docker compose -f docker-compose.yml -f docker-compose.mlnode.yml up -d"))
        #expect(!GonkaDeploySandbox.calls(sandbox, host: 2).contains { $0.contains("docker-compose.mlnode.yml up") })

        // One log and one folder per node.
        for name in ["a", "b", "c"] {
            let log = try String(contentsOf: folder.appendingPathComponent("logs/node-\(name)_latest.log"), encoding: .utf8)
            #expect(log.contains("Config file: nodes/\(name).conf") && !log.contains("node-\(name == "a" ? "c" : "a"):"), "one node's lines: \(name)")
            #expect(!log.contains(GonkaDeploySandbox.password))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nodes/node-\(name)/warm_address.txt").path))
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("nodes/node-a/verification.txt").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nodes/node-b/verification.txt").path))

        // The recap: one row per node, how each ended.
        let recap = try #require(run.stdout.components(separatedBy: "     RECAP: 3 nodes\n").last)
        #expect(recap.range(of: "\nnode-a +fleettest@\\S+ +finished ", options: .regularExpression) != nil, "\(recap)")
        #expect(recap.range(of: "\nnode-b +fleettest@\\S+ +failed in phase 4: participant registration: register-new-participant failed", options: .regularExpression) != nil, "\(recap)")
        #expect(recap.range(of: "\nnode-c +fleettest@\\S+ +finished ", options: .regularExpression) != nil, "\(recap)")
        #expect(recap.contains("1 of 3 nodes failed; see their logs."))
    }

    @Test func everyProblemOfEveryNodeFileComesAtOnceBeforeAnyConnection() async throws {
        let sandbox = try currentSandbox()
        for host in 1...3 { try await GonkaDeploySandbox.prepare(sandbox, host: host) }
        let folder = try workFolder(sandbox, extra: [1: ["MODEL_NAME": "\"Llama/x\""], 3: ["KEY_NAME": "\"node-b\""]])
        defer { try? FileManager.default.removeItem(at: folder) }
        try GonkaFixtures.nodeFile(removing: ["SERVER_IP"]).write(to: folder.appendingPathComponent("nodes/d.conf"), atomically: true, encoding: .utf8)
        let logins = try (1...3).map { try sandbox.acceptedLogins($0) }
        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/a.conf", "nodes/b.conf", "nodes/c.conf", "nodes/d.conf", "--yes"], in: folder)
        #expect(run.status == 2, "\(run.console)")
        #expect(run.stderr.contains("nodes/a.conf:") && run.stderr.contains("MODEL_NAME"), "\(run.stderr)")
        #expect(run.stderr.contains("nodes/d.conf") && run.stderr.contains("SERVER_IP"), "\(run.stderr)")
        #expect(!run.stderr.contains("KEY_NAME node-b is also"), "names are compared once every file reads: \(run.stderr)")
        #expect(try (1...3).map { try sandbox.acceptedLogins($0) } == logins, "nothing connects")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("logs").path))

        // The files fixed but two sharing a KEY_NAME: named, still before any connection.
        let fixed = try await GonkaDeploySandbox.run(sandbox, ["nodes/b.conf", "nodes/c.conf", "--check"], in: folder)
        #expect(fixed.status == 2 && fixed.stderr.contains("nodes/c.conf: KEY_NAME node-b is also the KEY_NAME of nodes/b.conf"), "\(fixed.console)")
        #expect(try (1...3).map { try sandbox.acceptedLogins($0) } == logins)
    }
}
