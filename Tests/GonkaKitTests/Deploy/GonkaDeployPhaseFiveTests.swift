import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Phase 5 against the sandbox host: the chain files edited on the server, a failed phase 5
/// resumed with `--from-phase 5`, and re-runs that never touch the chain data.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(1))
struct GonkaDeployPhaseFiveTests {
    @Test func failedPhaseFiveResumesAndReRunsNeverWipeData() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4", nodeWritesConfig: false)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }
        let inference = GonkaDeploySandbox.mountPoint(sandbox) + "/gonka/deploy/join/.inference"

        // The node has not written its config files: phase 5 stops with the reason.
        let failed = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes"], in: folder)
        #expect(failed.status == 1 && failed.stdout.contains("[OK] Phase 4 completed:"), "\(failed.console)")
        #expect(failed.stderr.contains("[ERROR] Deployment failed: phase 5: "), "\(failed.console)")
        #expect(failed.stderr.contains("cannot read \(inference)/config/config.toml"), "\(failed.console)")

        // The node's files appear, with chain data the deploy must keep; resume at phase 5.
        let files = FileManager.default
        try files.createDirectory(atPath: inference + "/config", withIntermediateDirectories: true)
        try files.createDirectory(atPath: inference + "/data", withIntermediateDirectories: true)
        try files.copyItem(at: GonkaFixtures.url("cometbft-config.toml"), to: URL(fileURLWithPath: inference + "/config/config.toml"))
        try files.copyItem(at: GonkaFixtures.url("cosmos-app.toml"), to: URL(fileURLWithPath: inference + "/config/app.toml"))
        try "kept".write(toFile: inference + "/data/priv_validator_state.json", atomically: false, encoding: .utf8)
        let chown = try await GonkaFixtures.bash("chown -R fleettest: \"$1\"", arguments: [inference])
        #expect(chown.status == 0, "\(chown.error)")
        let resumed = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "5"], in: folder)
        #expect(resumed.status == 0, "\(resumed.console)")
        #expect(resumed.stdout.contains("[OK] state sync: Node is synced: block height 2000100"), "\(resumed.console)")
        #expect(!resumed.stdout.contains("PHASE 4"), "resumed at phase 5")
        let configTOML = try String(contentsOfFile: inference + "/config/config.toml", encoding: .utf8)
        #expect(configTOML.contains("\npersistent_peers = \"981908092bc597e60cc81eda4329783aea7af9d7@85.234.66.95:5000,"))
        #expect(configTOML.contains("\nenable = true\n") && configTOML.contains("\ntrust_height = 1999000\n"))
        #expect(configTOML.contains("\ntrust_hash = \"00000000000000000000000000000000000000000000000000000003AF8BDDE8\"\n"), "the hash of block 1999000 from the seed RPC")
        #expect(configTOML.contains("\nrpc_servers = \"http://node2.gonka.ai:26657,http://node1.gonka.ai:26657\"\n"))
        let appTOML = try String(contentsOfFile: inference + "/config/app.toml", encoding: .utf8)
        let topLevel = try #require(appTOML.components(separatedBy: "\n[").first)
        #expect(topLevel.contains("\npruning = \"custom\"\n") && topLevel.contains("\npruning-keep-recent = \"1000\"\n")
            && topLevel.contains("\npruning-interval = \"100\"\n"))
        let parsed = try await GonkaFixtures.bash(#"python3 -c 'import sys, tomllib; [tomllib.load(open(p, "rb")) for p in sys.argv[1:]]' "$1" "$2""#,
                                                  arguments: [inference + "/config/config.toml", inference + "/config/app.toml"])
        #expect(parsed.status == 0, "\(parsed.error)")
        #expect(GonkaDeploySandbox.calls(sandbox).filter { $0 == "docker compose restart node" }.count == 1)

        // The node synced (it holds blocks): re-runs change nothing and keep every chain file.
        try "blocks".write(toFile: inference + "/data/blockstore.db", atomically: false, encoding: .utf8)
        for _ in 0..<2 {
            let again = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "4"], in: folder)
            #expect(again.stdout.contains("[SKIP] config.toml state sync: already done"), "\(again.console)")
            #expect(!(try GonkaDeploySandbox.lastRunLog(folder)).contains("[EXEC]"))
        }
        #expect(try String(contentsOfFile: inference + "/config/config.toml", encoding: .utf8) == configTOML)
        #expect(try String(contentsOfFile: inference + "/data/priv_validator_state.json", encoding: .utf8) == "kept")
        #expect(try String(contentsOfFile: inference + "/data/blockstore.db", encoding: .utf8) == "blocks")
        #expect(GonkaDeploySandbox.calls(sandbox).filter { $0 == "docker compose restart node" }.count == 1)
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.contains("rm -rf") || $0.contains("compose down") })
    }
}
