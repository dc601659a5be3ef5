import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Servers as the original toolkit left them (systemd unit, start script, marker, `.aztec-run`),
/// managed by aztec-fleet without reinstalling; one compose server and one without a node beside them.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct OriginalLayoutOverSSHTests {
    static let key = "0x" + String(repeating: "4b", count: 32)
    static let eth = "0x" + String(repeating: "1", count: 40)
    /// Paths relative to the login user's private home stand in for /root and /etc/systemd/system.
    static let layoutArguments = ["--original-home", "original", "--original-unit", "original/aztec-node.service"]

    /// The start script exactly as the original's Install.sh wrote it (§3 of the fact sheet).
    static func startScript(ip: String) -> String {
        """
        #!/bin/bash
        export PATH=$PATH:$HOME/.aztec/bin
        aztec start --node --archiver --sequencer \\
          --network alpha-testnet \\
          --port 8080 \\
          --l1-rpc-urls "http://65.109.116.87:8545" \\
          --l1-consensus-host-urls "http://65.109.116.87:5052" \\
          --sequencer.validatorPrivateKeys \(key) \\
          --sequencer.coinbase \(eth) \\
          --p2p.p2pIp \(ip) \\
          --p2p.maxTxPoolSize 1000000000

        """
    }

    static let unit = """
        [Unit]
        Description=Aztec Node Service
        After=network.target docker.service
        Requires=docker.service

        [Service]
        User=root
        WorkingDirectory=/root
        ExecStart=/root/start_aztec_node.sh
        Restart=always
        RestartSec=10
        Environment=PATH=/usr/bin:/bin:/usr/local/bin:/root/.aztec/bin

        [Install]
        WantedBy=multi-user.target

        """

    /// Lays out h1 as the original left it, h2 as our compose install, h3 with no node; starts fake
    /// nodes whose block advances, so each restarted node passes the health gate of the rolling
    /// operations (one server at a time by default).
    static func prepare(_ sandbox: SandboxHosts) async throws -> OpenSSHTransport {
        _ = try AztecFleetSandbox.prepare(sandbox)
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-ol\(UInt16.random(in: 0 ... .max))"))
        let h1 = sandbox.hosts[0]
        _ = try await transport.run(RemoteCommand("rm -rf original aztec; mkdir -p original/.aztec/bin original/.aztec/testnet/data && echo block > original/.aztec/testnet/data/db && touch original/.aztec_installed && printf 'docker run aztecprotocol/aztec:0.87.9 \"$@\"\\n' > original/.aztec/bin/.aztec-run"), on: h1)
        _ = try await transport.upload(Data(startScript(ip: h1.address).utf8), to: "original/start_aztec_node.sh", mode: 0o755, on: h1)
        _ = try await transport.upload(Data(unit.utf8), to: "original/aztec-node.service", mode: 0o644, on: h1)
        try AztecFleetSandbox.setState(sandbox, 1, "systemd.aztec-node.service.active")
        // h2: what aztec-fleet install leaves, with docker and the container running.
        let h2 = sandbox.hosts[1]
        _ = try await transport.run(RemoteCommand("rm -rf original aztec; mkdir -p aztec/data"), on: h2)
        _ = try await transport.upload(Data(ComposeFile.text(InstallSettings(aztecVersion: "2.1.2")).utf8), to: "aztec/docker-compose.yml", mode: 0o644, on: h2)
        let env = "P2P_IP=\(h2.address)\nETHEREUM_HOSTS=https://eth.example/v2/SECRETAPIKEY123\nL1_CONSENSUS_HOST_URLS=http://beacon.example:5052\nVALIDATOR_PRIVATE_KEY=\(key)\n"
        _ = try await transport.upload(Data(env.utf8), to: "aztec/.env", mode: 0o600, on: h2)
        for name in ["docker.installed", "systemd.docker.active", "compose.running"] { try AztecFleetSandbox.setState(sandbox, 2, name) }
        _ = try await transport.run(RemoteCommand("rm -rf original aztec"), on: sandbox.hosts[2])
        let script = AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path
        for index in 1...2 {
            let pidFile = sandbox.hostDirectory(index).appendingPathComponent("fake_node.pid").path
            if FileManager.default.fileExists(atPath: pidFile) { continue }
            let output = try await sandbox.execute(onHost: index, ["python3", script, "--mode", "advancing", "--port", "8080", "--daemon", "--pidfile", pidFile])
            guard output.status == 0 else { throw SandboxError("fake node on h\(index) did not start") }
        }
        return transport
    }

    static func tool(_ sandbox: SandboxHosts, _ arguments: [String], csv: String? = nil, environment extra: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let inventory = sandbox.directory.appendingPathComponent("original-servers.csv")
        let text = csv ?? "IP,ADDRESS,PRIVATE_KEY,user\n" + sandbox.hosts.map { "\($0.address),\(eth),\(key),fleettest" }.joined(separator: "\n") + "\n"
        try text.write(to: inventory, atomically: true, encoding: .utf8)
        var environment = AztecFleetSandbox.toolEnvironment
        for (name, value) in extra { environment[name] = value }
        let logs = sandbox.directory.appendingPathComponent("logs-original")
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: [arguments[0], inventory.path] + Array(arguments.dropFirst()) + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(180), environment: environment))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
    }

    static func calls(_ sandbox: SandboxHosts, _ index: Int) -> [String] { AztecFleetSandbox.calls(sandbox, index) }

    @Test func statusShowsEachLayoutVersionServiceAndMaskedURLs() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let result = try await Self.tool(sandbox, ["status", "--json"] + Self.layoutArguments)
        #expect(result.status == 1, "h3 has no node: \(result.stderr)")
        let statuses = try JSONDecoder().decode([NodeStatus].self, from: Data(result.stdout.utf8))
        #expect(statuses.map(\.host) == ["node1", "node2", "node3"])
        #expect(statuses.map(\.layout) == [.original, .compose, NodeLayoutKind.none])
        #expect(statuses[0].version == "0.87.9" && statuses[0].service == "active" && statuses[0].provenBlock == 42)
        #expect(statuses[0].l1RPCURLs == ["http://65.109.116.87:8545"] && statuses[0].consensusURLs == ["http://65.109.116.87:5052"])
        #expect(statuses[1].version == "2.1.2" && statuses[1].service == "running")
        #expect(statuses[1].l1RPCURLs == ["https://eth.example/***"], "the API key in the URL path is masked")
        #expect(!result.stdout.contains("SECRETAPIKEY123") && !result.stdout.contains(String(Self.key.dropFirst(2))))
        let table = try await Self.tool(sandbox, ["status"] + Self.layoutArguments)
        #expect(table.stdout.contains("node1") && table.stdout.contains("original") && table.stdout.contains("0.87.9"))
    }

    @Test func operationsRefuseWithoutConfirmationThenRestartBothLayouts() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let refused = try await Self.tool(sandbox, ["restart", "--limit", "node1"] + Self.layoutArguments)
        #expect(refused.status == 2 && refused.stderr.contains("without confirmation: no terminal to ask on; pass --yes"))
        #expect(!Self.calls(sandbox, 1).contains { $0.hasPrefix("systemctl restart") })
        let restarted = try await Self.tool(sandbox, ["restart", "--limit", "node1,node2", "--yes", "--settle", "0"] + Self.layoutArguments)
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(Self.calls(sandbox, 1).contains("systemctl restart aztec-node.service"))
        #expect(Self.calls(sandbox, 2).contains("docker compose restart"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: sandbox.directory.appendingPathComponent("logs-original").path)
        #expect(logs.contains { $0.range(of: #"^aztec_restart_original-servers_\d{8}_\d{6}\.log$"#, options: .regularExpression) != nil })
        // A unit that does not come back fails its host.
        try AztecFleetSandbox.setState(sandbox, 1, "systemd.aztec-node.service.broken")
        let broken = try await Self.tool(sandbox, ["restart", "--limit", "node1", "--yes", "--settle", "0"] + Self.layoutArguments)
        try FileManager.default.removeItem(at: AztecFleetSandbox.stateFolder(sandbox, 1).appendingPathComponent("systemd.aztec-node.service.broken"))
        try AztecFleetSandbox.setState(sandbox, 1, "systemd.aztec-node.service.active")
        #expect(broken.status == 1 && broken.stderr.contains("aztec-node.service is inactive after the restart"))
    }

    @Test func updateRetriesAztecUpThenRestartsAndASecondRunChangesNothing() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        try AztecFleetSandbox.setState(sandbox, 1, "aztec-up.failures", "1\n")
        try AztecFleetSandbox.chownToLoginUser(AztecFleetSandbox.stateFolder(sandbox, 1).appendingPathComponent("aztec-up.failures"))
        let before = Self.calls(sandbox, 1).count
        let first = try await Self.tool(sandbox, ["update", "--limit", "node1", "--version", "2.1.3", "--yes", "--settle", "0", "--retry-delay", "0"] + Self.layoutArguments)
        #expect(first.status == 0, "\(first.stderr)")
        let calls = Array(Self.calls(sandbox, 1).dropFirst(before))
        #expect(calls.filter { $0 == "aztec-up 2.1.3" }.count == 2, "one failure, then success: \(calls)")
        #expect(calls.contains("systemctl restart aztec-node.service"))
        let pinned = try await transport.run(RemoteCommand("cat original/.aztec/bin/.aztec-run"), on: sandbox.hosts[0])
        #expect(pinned.standardOutput.contains("aztecprotocol/aztec:2.1.3"))
        let again = Self.calls(sandbox, 1).count
        let second = try await Self.tool(sandbox, ["update", "--limit", "node1", "--version", "2.1.3", "--yes", "--settle", "0"] + Self.layoutArguments)
        let secondCalls = Self.calls(sandbox, 1).dropFirst(again)
        #expect(second.status == 0 && !secondCalls.contains("aztec-up 2.1.3") && !secondCalls.contains("systemctl restart aztec-node.service"),
                "already on 2.1.3: neither aztec-up nor a restart runs: \(secondCalls)")
    }

    @Test func setL1AndUpdateKeysEditTheStartScriptWithABackupAndNoKeyInAnyArgv() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let setL1 = try await Self.tool(sandbox, ["set-l1", "--limit", "node1", "--settle", "0", "--l1-rpc", "http://46.62.216.47:8545",
                                                  "--consensus", "http://46.62.216.47:3500"] + Self.layoutArguments)
        #expect(setL1.status == 0, "\(setL1.stderr)")
        var script = try await transport.run(RemoteCommand("cat original/start_aztec_node.sh; ls original"), on: sandbox.hosts[0])
        #expect(script.standardOutput.contains("  --l1-rpc-urls \"http://46.62.216.47:8545\" \\\n  --l1-consensus-host-urls \"http://46.62.216.47:3500\" \\\n"))
        #expect(script.standardOutput.contains("--sequencer.validatorPrivateKeys \(Self.key) \\"), "other lines untouched")
        #expect(script.standardOutput.range(of: #"start_aztec_node\.sh\.backup\.\d{8}_\d{6}"#, options: .regularExpression) != nil)
        let restarts = Self.calls(sandbox, 1).filter { $0 == "systemctl restart aztec-node.service" }.count
        let repeated = try await Self.tool(sandbox, ["set-l1", "--limit", "node1", "--settle", "0", "--l1-rpc", "http://46.62.216.47:8545",
                                                     "--consensus", "http://46.62.216.47:3500"] + Self.layoutArguments)
        #expect(repeated.status == 0 && Self.calls(sandbox, 1).filter { $0 == "systemctl restart aztec-node.service" }.count == restarts,
                "the same URLs again change nothing")

        // Several keys for node1, from a keys column; sampled from every process's argv during the run.
        let keys = (1...3).map { "0x" + String(repeating: String(format: "%02x", 0xa0 + $0), count: 32) }
        let csv = "IP,ADDRESS,KEYS,user\n\(sandbox.hosts[0].address),\(Self.eth),\"\(keys.joined(separator: ","))\",fleettest\n"
        let seen = Locked<[String]>([])
        let watcher = Task {
            while !Task.isCancelled {
                let lines = ProcessScan.live(containingAnyOf: keys.map { String($0.dropFirst(2)) })
                if !lines.isEmpty { seen.withLock { $0 += lines } }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let update = try await Self.tool(sandbox, ["update-keys", "--yes", "--settle", "0"] + Self.layoutArguments, csv: csv)
        watcher.cancel()
        _ = await watcher.value
        #expect(update.status == 0, "\(update.stderr)")
        #expect(seen.withLock { $0 }.isEmpty, "a key reached an argv: \(seen.withLock { $0 })")
        for key in keys { #expect(!update.stderr.contains(key.dropFirst(2)) && !update.stdout.contains(key.dropFirst(2))) }
        script = try await transport.run(RemoteCommand("cat original/start_aztec_node.sh"), on: sandbox.hosts[0])
        #expect(script.standardOutput.contains("  --sequencer.validatorPrivateKeys=\"\(keys.joined(separator: ","))\" \\\n"))
        #expect(!script.standardOutput.contains(Self.key))
    }

    @Test func groupsOfRowsBecomeOneServerWithEveryKey() {
        let rows = (1...12).map { index in
            AztecInventory.host(name: "node\(index)", address: "203.0.113.\(index)", privateKey: Secret("0x" + String(repeating: String(format: "%02x", index), count: 32)))
        }
        let grouped = AztecInventory.grouped(rows, size: 10)
        #expect(grouped.map(\.name) == ["node1", "node11"])
        #expect(grouped.map(\.address) == ["203.0.113.1", "203.0.113.11"])
        #expect(grouped[0].validatorPrivateKeys.count == 10 && grouped[1].validatorPrivateKeys.count == 2)
        #expect(grouped[1].validatorPrivateKeys.first == "0x" + String(repeating: "0b", count: 32))
    }

    @Test func proofAndRemoveDataOnAnOriginalServer() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        // The results file goes into the sandbox, never into the directory the tests run from.
        let results = sandbox.directory.appendingPathComponent("proof_results.csv")
        let proof = try await Self.tool(sandbox, ["proof", "--limit", "node1", "--json", "--output", results.path])
        #expect(proof.status == 0, "\(proof.stderr)")
        #expect(proof.stdout.contains("\"status\" : \"ok\""))
        #expect(try String(contentsOf: results, encoding: .utf8).contains(",42,c2libGluZy1wYXRoLWF0LTQy,SUCCESS,"))
        let removed = try await Self.tool(sandbox, ["remove-data", "--limit", "node1", "--yes", "--settle", "0"] + Self.layoutArguments)
        #expect(removed.status == 0, "\(removed.stderr)")
        let data = try await transport.run(RemoteCommand("test -e original/.aztec/testnet/data && echo present || echo gone"), on: sandbox.hosts[0])
        #expect(data.standardOutput == "gone\n")
        #expect(Self.calls(sandbox, 1).contains("systemctl stop aztec-node.service") && Self.calls(sandbox, 1).contains("systemctl start aztec-node.service"))
    }

    @Test func installRefusesAnOriginalServerUnlessAdopted() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let refused = try await Self.tool(sandbox, ["aztec", "--limit", "node1", "--l1-rpc", "http://l1", "--consensus", "http://cl"] + Self.layoutArguments)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("node1 : refused: installed by the original toolkit (original/aztec-node.service runs original/start_aztec_node.sh)"))
        #expect(!Self.calls(sandbox, 1).contains { $0.hasPrefix("aztec-installer") || $0.hasPrefix("docker compose up") })
        let adopted = try await Self.tool(sandbox, ["aztec", "--limit", "node1", "--adopt", "--json", "--l1-rpc", "http://l1", "--consensus", "http://cl"] + Self.layoutArguments)
        #expect(adopted.status == 0, "\(adopted.stderr)")
        let report = try JSONDecoder().decode(StagedRunReport.self, from: Data(adopted.stdout.utf8))
        #expect(report.excluded.map(\.host) == ["node1"] && report.excluded.allSatisfy { !$0.isFailure })
        #expect(!Self.calls(sandbox, 1).contains { $0.hasPrefix("aztec-installer") })
    }
}

extension OriginalLayoutOverSSHTests {
    @Test func everyOperationOnAComposeServerAndCheckModeChangesNothing() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let h2 = sandbox.hosts[1]
        let before = try await transport.run(RemoteCommand("cat aztec/.env"), on: h2)
        let checked = try await Self.tool(sandbox, ["set-l1", "--limit", "node2", "--check", "--settle", "0", "--l1-rpc", "http://new-l1:8545", "--consensus", "http://new-cl:5052"] + Self.layoutArguments)
        let afterCheck = try await transport.run(RemoteCommand("cat aztec/.env"), on: h2)
        #expect(checked.status == 0 && afterCheck.standardOutput == before.standardOutput, "check mode changes nothing")
        let setL1 = try await Self.tool(sandbox, ["set-l1", "--limit", "node2", "--settle", "0", "--l1-rpc", "http://new-l1:8545", "--consensus", "http://new-cl:5052"] + Self.layoutArguments)
        #expect(setL1.status == 0, "\(setL1.stderr)")
        let keys = ["0x" + String(repeating: "c1", count: 32), "0x" + String(repeating: "c2", count: 32)]
        let csv = "IP,ADDRESS,KEY,user\n" + keys.map { "\(h2.address),\(Self.eth),\($0),fleettest" }.joined(separator: "\n") + "\n"
        let updateKeys = try await Self.tool(sandbox, ["update-keys", "--yes", "--settle", "0", "--group-size", "2"] + Self.layoutArguments, csv: csv)
        #expect(updateKeys.status == 0, "\(updateKeys.stderr)")
        let env = try await transport.run(RemoteCommand("cat aztec/.env; stat -c %a aztec/.env; ls -a aztec"), on: h2)
        #expect(env.standardOutput.contains("ETHEREUM_HOSTS=http://new-l1:8545\nL1_CONSENSUS_HOST_URLS=http://new-cl:5052\n"))
        #expect(env.standardOutput.contains("VALIDATOR_PRIVATE_KEYS=\(keys.joined(separator: ","))\n") && !env.standardOutput.contains("VALIDATOR_PRIVATE_KEY="))
        #expect(env.standardOutput.contains("\n600\n"), ".env keeps mode 0600")
        #expect(env.standardOutput.range(of: #"\.env\.backup\.\d{8}_\d{6}"#, options: .regularExpression) != nil)
        let update = try await Self.tool(sandbox, ["update", "--limit", "node2", "--version", "2.1.3", "--yes", "--settle", "0", "--retry-delay", "0"] + Self.layoutArguments)
        #expect(update.status == 0, "\(update.stderr)")
        let compose = try await transport.run(RemoteCommand("grep image: aztec/docker-compose.yml"), on: h2)
        #expect(compose.standardOutput.contains("aztecprotocol/aztec:2.1.3"))
        #expect(Self.calls(sandbox, 2).contains("docker pull aztecprotocol/aztec:2.1.3") && Self.calls(sandbox, 2).contains { $0.hasPrefix("docker compose up -d") })
        _ = try await transport.run(RemoteCommand("echo chain > aztec/data/db"), on: h2)
        let removed = try await Self.tool(sandbox, ["remove-data", "--limit", "node2", "--yes", "--settle", "0"] + Self.layoutArguments)
        #expect(removed.status == 0, "\(removed.stderr)")
        let data = try await transport.run(RemoteCommand("ls -A aztec/data | wc -l"), on: h2)
        #expect(data.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test func migrateMovesAnOriginalServerToComposeKeepingItsData() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        for name in ["docker.installed", "systemd.docker.active"] { try AztecFleetSandbox.setState(sandbox, 1, name) }
        let installer = "file://" + sandbox.directory.appendingPathComponent("installers/aztec-install.sh").path
        let bothFlags = try await Self.tool(sandbox, ["aztec", "--limit", "node1", "--adopt", "--migrate"] + Self.layoutArguments)
        #expect(bothFlags.status == 2)
        let migrated = try await Self.tool(sandbox, ["aztec", "--limit", "node1", "--migrate", "--installer-url", installer, "--node-wait", "5",
                                                     "--l1-rpc", "http://l1.test:8545", "--consensus", "http://beacon.test:5052"] + Self.layoutArguments)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let files = try await transport.run(RemoteCommand("cat aztec/data/db; ls original; test -f aztec/docker-compose.yml && echo compose"), on: sandbox.hosts[0])
        #expect(files.standardOutput.hasPrefix("block\n"), "the node's data moved into the compose layout: \(files.standardOutput)")
        #expect(files.standardOutput.contains("start_aztec_node.sh.migrated") && files.standardOutput.contains("aztec-node.service.migrated"))
        #expect(files.standardOutput.hasSuffix("compose\n"))
        #expect(Self.calls(sandbox, 1).contains("systemctl stop aztec-node.service"))
        let status = try await Self.tool(sandbox, ["status", "--limit", "node1", "--json"] + Self.layoutArguments)
        #expect(try JSONDecoder().decode([NodeStatus].self, from: Data(status.stdout.utf8)).first?.layout == .compose)
    }
}
