import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Whole deployments against the sandbox host: phases 1 to 8, the re-run that only skips,
/// a stuck state sync and `fix-sync`, the confirmed chain-data reset, and the grant.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(1))
struct GonkaDeployFullRunTests {
    let inference = { (sandbox: SandboxHosts) in GonkaDeploySandbox.mountPoint(sandbox) + "/gonka/deploy/join/.inference" }

    @Test func fullDeployThenTheReRunOnlySkipsAndKeepsKeyAndData() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = folder.appendingPathComponent("nodes/quick-newton")

        // --check on the fresh server: phase 1 would change, so later phases (which read what it creates) are not checked.
        let check = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--check"], in: folder)
        #expect(check.status == 0, "\(check.console)")
        #expect(check.stdout.contains("[INFO] Phase 2 and later build on what phase 1 would change, so they are not checked"), "\(check.console)")
        #expect(GonkaDeploySandbox.state(sandbox, "mounts").isEmpty && !FileManager.default.fileExists(atPath: local.path))

        let first = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes"], in: folder)
        #expect(first.status == 0, "\(first.console)")
        for phase in 1...8 { #expect(first.stdout.contains("[OK] Phase \(phase) completed:"), "phase \(phase): \(first.console)") }
        #expect(GonkaDeploySandbox.calls(sandbox).contains("docker compose -f docker-compose.yml -f docker-compose.mlnode.yml up -d"), "both compose files started")
        #expect(try GonkaDeploySandbox.latestLog(folder).contains("[EXEC] all services"))
        #expect(first.stdout.contains("[OK] model loaded: Model loaded! GPU memory: 74GB"), "\(first.console)")
        #expect(first.stdout.contains("[OK] running services: All expected containers are running"))
        let warm = try String(contentsOf: local.appendingPathComponent("warm_address.txt"), encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(first.stdout.contains("[OK] ML permissions grant: Grant ML permissions from the machine holding the cold key: inferenced tx inference grant-ml-ops-permissions <COLD_KEY_NAME> \(warm) --from <COLD_KEY_NAME> --keyring-backend file --gas 2000000 --node \(GonkaDeploySandbox.seedURL(sandbox))/chain-rpc/"), "\(first.console)")

        // verification.txt in the original's layout, every check passing against the fake services.
        let report = try String(contentsOf: local.appendingPathComponent("verification.txt"), encoding: .utf8)
        let cold = FakeSeedAPI.coldAccount.address
        let host = sandbox.hosts[0].address
        for line in ["GONKA NODE VERIFICATION REPORT\nGenerated at: ", "\n======================================\n\n",
                     "✓ Participant registered: \(GonkaDeploySandbox.seedURL(sandbox))/v1/participants/\(cold)\n",
                     "✓ Node RPC: http://\(host):26657/status\n", "✓ Dashboard: http://\(host):8000/\n", "✓ CUDA GPU detected\n",
                     "✓ PyTorch: CUDA:True,GPUs:1,Version:12.4\n", "✓ MLNode health: OK\n", "✓ GPU devices: available\n",
                     "\nAPI NODE CONFIGURATION:\n✓ nodes: 1 node(s) configured\n✓ current_status: INFERENCE\n  intended_status: INFERENCE\n",
                     "✓ merged_node_config: true\n", "✓ GPU memory: 74GB / 79GB (model loaded)\n",
                     "\nCONTAINER LOGS:\n✓ node: no errors\n✓ api: no errors\n", "\nSERVICE STATE:\n✓ service_state: INFERENCE\n",
                     "\nVLLM MODEL:\n✓ vLLM model: Qwen/Qwen3-32B-FP8\n  max_model_len: 240000\n",
                     "\nSETUP REPORT:\n✓ setup_report: PASS (3/3)\n✓ permissions: granted\n✓ block_sync: synced\n✓ mlnode: healthy\n",
                     "\n\nVerification completed at: "] {
            #expect(report.contains(line), "missing \(line) in:\n\(report)")
        }

        // The final report: the original's blocks, only files that exist.
        for line in ["     DEPLOYMENT COMPLETED\n", "NODE: quick-newton\n", "SERVER: fleettest@\(host)\n",
                     "  Warm Address:   \(warm)\n", "  Participant:    \(GonkaDeploySandbox.seedURL(sandbox))/v1/participants/\(cold)\n",
                     "  Verification:   \(local.path)/verification.txt\n", "IMPORTANT NEXT STEPS:\n", "[SUCCESS] All phases completed successfully!"] {
            #expect(first.stdout.contains(line), "missing \(line)")
        }
        #expect(!first.stdout.contains("  Grant:"), "no grant.txt, so none listed")

        // The node synced and holds blocks; the re-run changes nothing and keeps key and data.
        try "blocks".write(toFile: inference(sandbox) + "/data/blockstore.db", atomically: false, encoding: .utf8)
        let configTOML = try String(contentsOfFile: inference(sandbox) + "/config/config.toml", encoding: .utf8)
        let second = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf"], in: folder, environment: ["AUTO_CONFIRM": "yes"])
        #expect(second.status == 0, "\(second.console)")
        let again = try GonkaDeploySandbox.lastRunLog(folder)
        #expect(!again.contains("[EXEC]"), "\(again)")
        #expect(again.contains("[SKIP] all services: already done") && again.contains("[SKIP] warm key quick-newton: already done"))
        #expect(GonkaDeploySandbox.state(sandbox, "keys-created") == "add quick-newton\n")
        #expect(try String(contentsOfFile: inference(sandbox) + "/data/blockstore.db", encoding: .utf8) == "blocks")
        #expect(try String(contentsOfFile: inference(sandbox) + "/config/config.toml", encoding: .utf8) == configTOML)
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.contains("rm -rf") || $0.contains("compose down") || $0.contains("compose stop") })
        let checked = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--check"], in: folder)
        #expect(checked.status == 0 && checked.stdout.contains("[OK] Check finished: 0 steps would change"), "\(checked.console)")

        // --grant runs this machine's inferenced with the cold key's name; its output goes to grant.txt.
        let tools = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: tools) }
        let argsFile = tools.appendingPathComponent("args").path
        let inferenced = tools.appendingPathComponent("inferenced")
        try "#!/bin/sh\nprintf '%s\\n' \"$@\" >\(ShellQuote.quote(argsFile))\necho 'Transaction confirmed successfully'\necho 'Block height: 4242'\n"
            .write(to: inferenced, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: inferenced.path)
        let noCold = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "8", "--grant", "--inferenced", inferenced.path], in: folder)
        #expect(noCold.status == 2 && noCold.stderr.contains("--grant needs COLD_KEY_NAME"), "\(noCold.console)")
        try (GonkaDeploySandbox.nodeFile(sandbox) + "COLD_KEY_NAME=\"cold-1\"\n").write(to: folder.appendingPathComponent("nodes/node1.conf"), atomically: true, encoding: .utf8)
        let missing = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "8", "--grant", "--inferenced", tools.path + "/none"], in: folder)
        #expect(missing.status == 2 && missing.stderr.contains("--grant needs inferenced on this machine"), "\(missing.console)")
        let granted = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "8", "--grant", "--inferenced", inferenced.path], in: folder)
        #expect(granted.status == 0 && granted.stdout.contains("[OK] ML permissions grant: Grant executed successfully! Block height: 4242"), "\(granted.console)")
        #expect(try String(contentsOfFile: argsFile, encoding: .utf8).split(separator: "\n") == [
            "tx", "inference", "grant-ml-ops-permissions", "cold-1", Substring(warm), "--from", "cold-1", "--keyring-backend", "file",
            "--gas", "2000000", "--node", Substring(GonkaDeploySandbox.seedURL(sandbox) + "/chain-rpc/"),
        ])
        #expect(try String(contentsOf: local.appendingPathComponent("grant.txt"), encoding: .utf8).contains("Block height: 4242"))
        try FileManager.default.removeItem(atPath: argsFile)
        let regrant = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "8", "--grant", "--inferenced", inferenced.path], in: folder)
        #expect(regrant.status == 0 && regrant.stdout.contains("[OK] ML permissions grant: Already granted to \(warm)"), "\(regrant.console)")
        #expect(!FileManager.default.fileExists(atPath: argsFile), "a confirmed grant is not sent twice")
    }

    @Test func stuckSyncIsReportedThenFixSyncAndTheConfirmedResetAct() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        let state = GonkaDeploySandbox.stateFolder(sandbox)
        try "0\n".write(to: state.appendingPathComponent("node-height"), atomically: false, encoding: .utf8)
        try "INF applying snapshot chunk chunk=17 format=3 height=1999000\n".write(to: state.appendingPathComponent("node.log"), atomically: false, encoding: .utf8)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }

        // The deploy reports the stuck sync with what to run, and still finishes.
        let deploy = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes"], in: folder)
        #expect(deploy.status == 0, "\(deploy.console)")
        #expect(deploy.stdout.contains("[INFO] State-sync progress: chunk ~17/368 (attempt 1/8)"), "\(deploy.console)")
        #expect(deploy.stdout.contains("[WARN] state sync: State-sync stuck at chunk 17 for 3 checks (3 seconds); to fix it, run: gonka-deploy fix-sync nodes/node1.conf"), "\(deploy.console)")
        #expect(deploy.stdout.contains("[WARN] 1 warning in this run:") || deploy.stdout.contains("warnings in this run:"), "\(deploy.console)")
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.contains("compose down") }, "nothing is fixed without being asked")

        // fix-sync on the server as the deploy left it: no peer filter script anywhere, and none looked for.
        let plain = try await GonkaDeploySandbox.run(sandbox, ["fix-sync", "nodes/node1.conf", "--yes"], in: folder)
        #expect(plain.status == 0, "\(plain.console)")
        #expect(!plain.console.contains("[ERROR]") && !plain.console.contains("peer filter") && !plain.console.contains("prometheus"), "\(plain.console)")
        #expect(plain.stdout.contains("[SUCCESS] Stuck state-sync fix applied"), "\(plain.console)")
        let both = "docker compose -f docker-compose.yml -f docker-compose.mlnode.yml"
        let fixCalls = GonkaDeploySandbox.calls(sandbox)
        #expect(fixCalls.contains("\(both) down") && fixCalls.contains("docker compose up tmkms node -d --no-deps"), "\(fixCalls)")
        #expect(fixCalls.last { $0.hasPrefix("docker compose") } == "\(both) up -d", "every service, the ML node too, runs again: \(fixCalls)")

        // fix-sync: refused without confirmation; with --yes it filters peers, clears the partial data and syncs.
        try "partial".write(toFile: inference(sandbox) + "/data/partial.db", atomically: false, encoding: .utf8)
        let operatorsRules = "-d 198.51.100.1/32 -j DROP\n-m comment --comment \"keep me\" -j ACCEPT\n"
        try operatorsRules.write(to: state.appendingPathComponent("iptables-mangle-output"), atomically: false, encoding: .utf8)
        let filter = state.appendingPathComponent("filter/iptables_disable_peers.sh")
        try FileManager.default.createDirectory(at: filter.deletingLastPathComponent(), withIntermediateDirectories: true)
        try """
            iptables -t mangle -A OUTPUT -d 203.0.113.7/32 -j DROP
            iptables -t mangle -A OUTPUT -d 203.0.113.8/32 -j DROP
            rm -f "$SANDBOX_DIR/state/node-height"

            """.write(to: filter, atomically: false, encoding: .utf8)
        _ = try await GonkaFixtures.bash("chown -R fleettest: \"$1\"", arguments: [state.path])
        let refused = try await GonkaDeploySandbox.run(sandbox, ["fix-sync", "nodes/node1.conf"], in: folder)
        #expect(refused.status == 2 && refused.stderr.contains("pass --yes"), "\(refused.console)")
        let fixed = try await GonkaDeploySandbox.run(sandbox, ["fix-sync", "nodes/node1.conf", "--yes", "--peer-filter-script", filter.path], in: folder)
        #expect(fixed.status == 0, "\(fixed.console)")
        #expect(fixed.stdout.contains("[INFO] FIX STUCK STATE SYNC"))
        #expect(fixed.stdout.contains("[OK] state sync: State-sync completed! Current block height: 2000100"), "\(fixed.console)")
        #expect(fixed.stdout.contains("[INFO] The peer filter script added 2 rules to the mangle table's OUTPUT chain"), "\(fixed.console)")
        #expect(fixed.stdout.contains("[OK] iptables rule removed: -A OUTPUT -d 203.0.113.8/32 -j DROP"), "\(fixed.console)")
        #expect(GonkaDeploySandbox.state(sandbox, "iptables-mangle-output") == operatorsRules, "only the filter's DROP rules are lifted; the operator's stay")
        #expect(!FileManager.default.fileExists(atPath: inference(sandbox) + "/data/partial.db"), "partial data of a stuck sync is removed")
        #expect(FileManager.default.fileExists(atPath: inference(sandbox) + "/data"))
        #expect(GonkaDeploySandbox.calls(sandbox).contains("\(both) down"))

        // --reset-chain-data: refused without confirmation, then with --yes the data goes and state sync is set anew.
        try "blocks".write(toFile: inference(sandbox) + "/data/blockstore.db", atomically: false, encoding: .utf8)
        try "2000500\n".write(to: state.appendingPathComponent("chain-height"), atomically: false, encoding: .utf8)
        let unconfirmed = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--phase", "5", "--reset-chain-data"], in: folder, environment: ["AUTO_CONFIRM": "yes"])
        #expect(unconfirmed.status == 2 && unconfirmed.stderr.contains("--reset-chain-data deletes the node's chain data"), "\(unconfirmed.console)")
        #expect(FileManager.default.fileExists(atPath: inference(sandbox) + "/data/blockstore.db"))
        let reset = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "5", "--reset-chain-data"], in: folder)
        #expect(reset.status == 0, "\(reset.console)")
        #expect(reset.stdout.contains("[OK] Data directory cleaned and ready for state-sync"), "\(reset.console)")
        #expect(!FileManager.default.fileExists(atPath: inference(sandbox) + "/data/blockstore.db"))
        #expect(try GonkaDeploySandbox.lastRunLog(folder).contains("[EXEC] config.toml state sync"))
        #expect(try String(contentsOfFile: inference(sandbox) + "/config/config.toml", encoding: .utf8).contains("\ntrust_height = 1999500\n"),
                "a fresh trusted block from the seed's latest height")
        #expect(GonkaDeploySandbox.calls(sandbox).contains("docker compose stop node"))

        // The node is synced now: fix-sync refuses before changing anything.
        let callsBefore = GonkaDeploySandbox.calls(sandbox).count
        let synced = try await GonkaDeploySandbox.run(sandbox, ["fix-sync", "nodes/node1.conf", "--yes"], in: folder)
        #expect(synced.status == 1 && synced.stderr.contains("its state sync is done, there is nothing to fix"), "\(synced.console)")
        #expect(!GonkaDeploySandbox.calls(sandbox).dropFirst(callsBefore).contains { $0.contains("compose down") })
    }
}
