import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The three stages against real sshd hosts whose apt-get, ufw, docker … are shims that keep state.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct StagedInstallOverSSHTests {
    @Test func checkModeThenFullInstallThenSecondRunOnlySkips() async throws {
        let sandbox = try currentSandbox()
        let installers = try AztecFleetSandbox.prepare(sandbox)
        try AztecFleetSandbox.setState(sandbox, 2, "ntp", "no\n")
        let keys = sandbox.hosts.map { _ in AztecFleetSandbox.privateKey() }
        let inventoryURL = sandbox.directory.appendingPathComponent("servers.csv")
        try AztecFleetSandbox.inventoryCSV(sandbox.hosts, keys: keys).write(to: inventoryURL, atomically: true, encoding: .utf8)
        let inventory = try InventoryLoader.load(contentsOf: inventoryURL, schema: AztecInventory.schema)
        let settings = AztecFleetSandbox.settings(installers)

        // 1. --check: shows what would change and changes nothing.
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-az\(UInt16.random(in: 0 ... .max))"))
        let checkRun = await StagedInstall(transport: transport, runLog: .discarding,
                                           options: try RunOptions(checkMode: true, defaultTimeout: .seconds(60)), settings: settings)
            .run(InstallStage.allCases, on: inventory.hosts, existingNodes: .refuse)
        #expect(checkRun.stages.count == 3)
        #expect(checkRun.stages[0].report.hosts.allSatisfy { $0.counts.changed == 3 && $0.counts.ok == 1 },
                "prepare: packages, firewall, data folder would change; the clock check only reads")
        for index in 1...3 {
            let changes = AztecFleetSandbox.calls(sandbox, index).filter { !$0.hasPrefix("sudo ") }
            #expect(changes.isEmpty, "check mode ran changing commands on h\(index): \(changes)")
            let left = AztecFleetSandbox.stateFiles(sandbox, index).subtracting(["fake_node.py", "ntp", "calls.log"])
            #expect(left.isEmpty, "check mode changed the state of h\(index): \(left)")
        }
        let nothing = try await transport.run(RemoteCommand("ls -A ~"), on: sandbox.hosts[0])
        #expect(nothing.standardOutput.isEmpty, "check mode created files in the home folder: \(nothing.standardOutput)")

        // 2. The full install through the built executable.
        let logs = sandbox.directory.appendingPathComponent("logs")
        let tool = try BuiltTool.url("aztec-fleet")
        let first = try await ProcessRunner.run(ProcessRequest(
            executable: tool.path,
            arguments: ["install", inventoryURL.path, "--installer-url", installers.aztec, "--docker-installer-url", installers.docker,
                        "--node-wait", "10", "--retries", "1", "--retry-delay", "0"]
                + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(300), environment: AztecFleetSandbox.toolEnvironment))
        let console = String(decoding: first.standardError, as: UTF8.self)
        #expect(first.status == 0, "install failed:\n\(console)")
        let logFiles = try FileManager.default.contentsOfDirectory(atPath: logs.path)
        let installLog = try #require(logFiles.first { $0.hasPrefix("complete_install_") && $0.hasSuffix(".log") })
        #expect(installLog.range(of: #"^complete_install_\d{8}_\d{6}\.log$"#, options: .regularExpression) != nil)
        // Each stage of the install also has its own log, as the original's run_all_stages.sh left.
        for stage in ["prepare", "docker", "aztec"] {
            let stageLog = try #require(logFiles.first { $0.hasPrefix("\(stage)_") }, "no \(stage)_ log in \(logFiles)")
            let stageText = try String(contentsOf: logs.appendingPathComponent(stageLog), encoding: .utf8)
            #expect(stageText.contains("stage \(stage) on 3 hosts"))
            for key in keys { #expect(!stageText.contains(String(key.dropFirst(2)))) }
        }
        let logText = try String(contentsOf: logs.appendingPathComponent(installLog), encoding: .utf8)
        #expect(logText.contains("[WARN] [h2] clock sync: the clock is not synchronised"))
        for key in keys {
            #expect(!logText.contains(String(key.dropFirst(2))), "a private key reached the log file")
            #expect(!console.contains(String(key.dropFirst(2))), "a private key reached the console")
        }

        // 3. What each server now holds.
        for (offset, host) in sandbox.hosts.enumerated() {
            let index = offset + 1
            let env = try await transport.run(RemoteCommand("cat aztec/.env; stat -c %a aztec/.env"), on: host)
            let lines = env.standardOutput.split(separator: "\n").map(String.init)
            #expect(lines.contains("P2P_IP=\(host.address)"))
            #expect(lines.contains("VALIDATOR_PRIVATE_KEY=\(keys[offset])"))
            #expect(lines.contains("COINBASE=0x" + String(repeating: String(index), count: 40)))
            #expect(lines.contains("ETHEREUM_HOSTS=http://l1-\(host.name).test:8545"))
            #expect(lines.contains("L1_CONSENSUS_HOST_URLS=http://beacon-\(host.name).test:5052"))
            #expect(lines.contains("P2P_PORT=40400") && lines.contains("AZTEC_PORT=8080") && lines.contains("LOG_LEVEL=info"))
            #expect(lines.last == "600", ".env must be mode 0600")
            let calls = AztecFleetSandbox.calls(sandbox, index)
            #expect(calls.contains("aztec-installer VERSION=2.1.2 NON_INTERACTIVE=1"))
            #expect(calls.contains { $0.hasPrefix("apt-get DEBIAN_FRONTEND=noninteractive") && $0.contains("install") && $0.contains("jq") })
            #expect(calls.contains("usermod -aG docker fleettest"))
            let rules = try String(contentsOf: AztecFleetSandbox.stateFolder(sandbox, index).appendingPathComponent("ufw.rules"), encoding: .utf8)
            #expect(rules.split(separator: "\n").map(String.init).sorted() == ["22/tcp", "40400/tcp", "40400/udp"])
            let image = try String(contentsOf: AztecFleetSandbox.stateFolder(sandbox, index).appendingPathComponent("compose.image"), encoding: .utf8)
            #expect(image.trimmingCharacters(in: .whitespacesAndNewlines) == "aztecprotocol/aztec:2.1.2")
            let answer = try await transport.run(RemoteCommand(RemoteShellProbe.l2Tips), on: host)
            #expect(answer.standardOutput.contains("\"proven\""), "the fake node answers on the host's loopback")
            let audit = try await transport.run(RemoteCommand("cat .aztec-fleet/audit.log"), on: host)
            #expect(audit.standardOutput.contains("stage=prepare step=\"base packages\" outcome=changed"))
            #expect(audit.standardOutput.contains("stage=aztec step=\"node answers\""))
            #expect(!audit.standardOutput.contains(String(keys[offset].dropFirst(2))))
        }

        // 4. The second run: every step of every stage is already done.
        let sink = MemoryLogSink()
        let second = await StagedInstall(transport: transport, runLog: RunLog(sinks: [sink]),
                                         options: try RunOptions(defaultTimeout: .seconds(60)), settings: settings)
            .run(InstallStage.allCases, on: inventory.hosts, existingNodes: .refuse)
        #expect(second.succeeded)
        for stage in second.stages {
            for host in stage.report.hosts {
                #expect(host.counts.changed == 0 && host.counts.failed == 0, "\(stage.stage) on \(host.host): \(host.steps.map { "\($0.name)=\($0.outcome)" })")
                #expect(host.counts.ok == stage.report.hosts[0].steps.count)
            }
        }
        #expect(!sink.entries.contains { $0.level == .exec })

        // 5. FORCE=1 re-runs the actions of one stage; the stage has its own log file.
        let installsBefore = AztecFleetSandbox.calls(sandbox, 1).filter { $0 == "get-docker" }.count
        var environment = AztecFleetSandbox.toolEnvironment
        environment["FORCE"] = "1"
        let forced = try await ProcessRunner.run(ProcessRequest(
            executable: tool.path,
            arguments: ["docker", inventoryURL.path, "--docker-installer-url", installers.docker, "--retries", "0"]
                + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(120), environment: environment))
        #expect(forced.status == 0, "\(String(decoding: forced.standardError, as: UTF8.self))")
        #expect(AztecFleetSandbox.calls(sandbox, 1).filter { $0 == "get-docker" }.count == installsBefore + 1)
        let dockerLog = try #require(try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasPrefix("docker_") }.sorted().last)
        let dockerText = try String(contentsOf: logs.appendingPathComponent(dockerLog), encoding: .utf8)
        #expect(dockerText.contains("[INFO] [h1] docker engine: forced"))
        await transport.close()
    }
}

/// A probe of the node RPC on a host's loopback, for assertions.
enum RemoteShellProbe {
    static let l2Tips = "curl -s -m 5 -X POST -H 'Content-Type: application/json' --data '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"node_getL2Tips\",\"params\":[]}' http://127.0.0.1:8080/"
}
