import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `aztec-fleet keystores` against three sandbox nodes on the keystore form, whose fake node
/// answers readiness, an advancing block and validator stats.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct KeystorePushOverSSHTests {
    typealias F = ButlerFixtures

    /// Server `index`'s keys file (servers s1…s3, one attester each, its own publisher), with an optional coinbase.
    static func keysFile(_ index: Int, coinbase: Int? = nil) -> String {
        F.keysFile([F.validator(attester: index, publisher: "\"\(F.address(0xa0 + index))\"", coinbase: coinbase)])
    }

    static func attester(_ index: Int) -> String { F.address(index) }

    /// Lays out every host as a keystore node holding `keystores[i]` from `source`, its fake node advancing.
    static func prepare(_ sandbox: SandboxHosts, keystores: [String], version: Int = 1) async throws -> OpenSSHTransport {
        _ = try AztecFleetSandbox.prepare(sandbox)
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-ks\(UInt16.random(in: 0 ... .max))"))
        var settings = InstallSettings(aztecVersion: "2.1.2")
        settings.keyForm = .keystore
        for (offset, host) in sandbox.hosts.enumerated() {
            let index = offset + 1
            _ = try await transport.run(RemoteCommand("rm -rf aztec; mkdir -p aztec/data aztec/keystore aztec/backups && chmod 700 aztec/keystore aztec/backups"), on: host)
            _ = try await transport.upload(Data(ComposeFile.text(settings).utf8), to: "aztec/docker-compose.yml", mode: 0o644, on: host)
            let env = try NodeEnvironment.make(for: AztecInventory.host(name: host.name, address: host.address, l1RPCURLs: ["http://l1.test"], consensusURLs: ["http://beacon.test"]),
                                               settings: settings).text
            _ = try await transport.upload(Data(env.utf8), to: "aztec/.env", mode: 0o600, on: host)
            _ = try await transport.upload(Data(keystores[offset].utf8), to: "aztec/keystore/keystore.json", mode: 0o600, on: host)
            _ = try await transport.upload(Data("testnet-keys-s\(index)-v\(version).json\n".utf8), to: "aztec/keystore.source", mode: 0o644, on: host)
            for name in ["docker.installed", "systemd.docker.active", "compose.running"] { try AztecFleetSandbox.setState(sandbox, index, name) }
            try AztecFleetSandbox.chownToLoginUser(AztecFleetSandbox.stateFolder(sandbox, index))
            let stats = "{\"stats\": {\"\(attester(index))\": {\"address\": \"\(attester(index))\", \"totalSlots\": 3}}}"
            try stats.write(to: sandbox.hostDirectory(index).appendingPathComponent("stats.json"), atomically: true, encoding: .utf8)
            try setMode(sandbox, index, "advancing")
            // Restarts (docker shim) and requests (fake node) of every host also go to one shared log, in order.
            let events = AztecFleetSandbox.stateFolder(sandbox, index).appendingPathComponent("events.log")
            try FileManager.default.createSymbolicLink(at: events, withDestinationURL: eventsLog(sandbox))
            let pidFile = sandbox.hostDirectory(index).appendingPathComponent("keystore_node.pid").path
            if FileManager.default.fileExists(atPath: pidFile) { continue }
            let output = try await sandbox.execute(onHost: index, [
                "python3", AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path, "--mode", "advancing", "--port", "8080",
                "--mode-file", sandbox.hostDirectory(index).appendingPathComponent("node_mode").path,
                "--validators-stats-file", sandbox.hostDirectory(index).appendingPathComponent("stats.json").path,
                "--request-log", eventsLog(sandbox).path, "--request-log-tag", "h\(index)",
                "--daemon", "--pidfile", pidFile])
            guard output.status == 0 else { throw SandboxError("fake node on h\(index) did not start") }
        }
        return transport
    }

    /// The log every host's restarts and node requests go to, lines led by `h1`, `h2` …;
    /// created writable by the login user.
    static func eventsLog(_ sandbox: SandboxHosts) -> URL {
        let url = sandbox.directory.appendingPathComponent("events.log")
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o666])
            try? AztecFleetSandbox.chownToLoginUser(url)
        }
        return url
    }

    /// The shared log's lines, each split into its host tag and the rest.
    static func events(_ sandbox: SandboxHosts) throws -> [(host: String, text: String)] {
        try String(contentsOf: eventsLog(sandbox), encoding: .utf8).split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
    }

    static func setMode(_ sandbox: SandboxHosts, _ index: Int, _ mode: String) throws {
        try mode.write(to: sandbox.hostDirectory(index).appendingPathComponent("node_mode"), atomically: true, encoding: .utf8)
    }

    /// A Butler data folder holding `files` (name → text).
    static func butlerFolder(_ sandbox: SandboxHosts, _ files: [String: String]) throws -> URL {
        let folder = sandbox.directory.appendingPathComponent("butler-data-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    static func tool(_ sandbox: SandboxHosts, _ arguments: [String], keys: URL) async throws -> (status: Int32, stdout: String, stderr: String) {
        let inventory = sandbox.directory.appendingPathComponent("keystore-servers.csv")
        let csv = "name,ip,user,port,server_id\n" + sandbox.hosts.enumerated().map { "\($1.name),\($1.address),fleettest,22,s\($0 + 1)" }.joined(separator: "\n") + "\n"
        try csv.write(to: inventory, atomically: true, encoding: .utf8)
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: [arguments[0], inventory.path] + (arguments[0] == "keystores" ? ["--keys-dir", keys.path, "--network", "testnet", "--settle", "0"] : [])
                + Array(arguments.dropFirst())
                + AztecFleetSandbox.connectionArguments(sandbox, logs: sandbox.directory.appendingPathComponent("logs-keystores")),
            timeout: .seconds(240), environment: AztecFleetSandbox.toolEnvironment))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
    }

    static func restarts(_ sandbox: SandboxHosts, _ index: Int) -> Int {
        AztecFleetSandbox.calls(sandbox, index).filter { $0 == "docker compose restart" }.count
    }

    static func keystore(_ transport: OpenSSHTransport, _ host: RemoteHost) async throws -> String {
        try await transport.run(RemoteCommand("cat aztec/keystore/keystore.json"), on: host).standardOutput
    }

    @Test func identicalFilesRestartNoneAndOneChangedCoinbaseRestartsExactlyItsNode() async throws {
        let sandbox = try currentSandbox()
        let v1 = (1...3).map { Self.keysFile($0) }
        let transport = try await Self.prepare(sandbox, keystores: v1)
        defer { Task { await transport.close() } }
        var files = Dictionary(uniqueKeysWithValues: (1...3).map { ("testnet-keys-s\($0)-v1.json", v1[$0 - 1]) })
        let same = try await Self.tool(sandbox, ["keystores"], keys: try Self.butlerFolder(sandbox, files))
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stderr.contains("no keystore to change"))
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [0, 0, 0])

        let v2 = Self.keysFile(2, coinbase: 0xc2)
        files["testnet-keys-s2-v2.json"] = v2
        let keys = try Self.butlerFolder(sandbox, files)
        let check = try await Self.tool(sandbox, ["keystores", "--check"], keys: keys)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("\(sandbox.hosts[1].name): testnet-keys-s2-v2.json (node at v1)"))
        #expect(check.stderr.contains("~ coinbase of \(Self.attester(2)): (none) → \(F.address(0xc2))"))
        #expect(check.stderr.contains("batch 1: \(sandbox.hosts[1].name)"))
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [0, 0, 0], "check mode restarts nothing")
        #expect(try await Self.keystore(transport, sandbox.hosts[1]) == v1[1])

        let push = try await Self.tool(sandbox, ["keystores", "--gate-timeout", "60"], keys: keys)
        #expect(push.status == 0, "\(push.stderr)")
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [0, 1, 0], "only the node whose keystore changed restarts")
        #expect(try await Self.keystore(transport, sandbox.hosts[1]) == v2)
        let kept = try await transport.run(RemoteCommand("stat -c '%a %n' aztec/keystore/keystore.json aztec/backups/keystore.json.*; cat aztec/backups/keystore.json.*"), on: sandbox.hosts[1])
        #expect(kept.standardOutput.hasPrefix("600 aztec/keystore/keystore.json\n600 aztec/backups/keystore.json."))
        #expect(kept.standardOutput.hasSuffix(v1[1]), "the previous keystore is kept")
        let status = try await Self.tool(sandbox, ["status", "--json"], keys: keys)
        let statuses = try JSONDecoder().decode([NodeStatus].self, from: Data(status.stdout.utf8))
        #expect(statuses.map(\.keyForm) == [.keystore, .keystore, .keystore])
        #expect(statuses.map { $0.keystore?.version } == [1, 2, 1])
        #expect(statuses[1].keystore?.coinbases == [F.address(0xc2)] && statuses[1].keystore?.attesters == [Self.attester(2)])
    }

    @Test func aSecondBatchFailingItsGateLeavesTheThirdUntouched() async throws {
        let sandbox = try currentSandbox()
        let v1 = (1...3).map { Self.keysFile($0) }
        let transport = try await Self.prepare(sandbox, keystores: v1)
        defer { Task { await transport.close() } }
        try Self.setMode(sandbox, 2, "stalled")
        let v2 = (1...3).map { Self.keysFile($0, coinbase: 0xc0 + $0) }
        let keys = try Self.butlerFolder(sandbox, Dictionary(uniqueKeysWithValues: (1...3).map { ("testnet-keys-s\($0)-v2.json", v2[$0 - 1]) }))
        let push = try await Self.tool(sandbox, ["keystores", "--serial", "1", "--gate-timeout", "6"], keys: keys)
        #expect(push.status == 1, "\(push.stderr)")
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [1, 1, 0])
        #expect(try await Self.keystore(transport, sandbox.hosts[0]) == v2[0])
        #expect(try await Self.keystore(transport, sandbox.hosts[2]) == v1[2], "the third server is untouched")
        #expect(push.stderr.contains("batch 2  \(sandbox.hosts[1].name)  gate-failed"))
        #expect(push.stderr.contains("batch 3  \(sandbox.hosts[2].name)  not-run"))
        #expect(push.stderr.contains("rollout stopped: 1 host failed by batch 2"))
    }

    @Test func refusalsTouchNoServer() async throws {
        let sandbox = try currentSandbox()
        let v1 = (1...3).map { Self.keysFile($0) }
        let transport = try await Self.prepare(sandbox, keystores: v1)
        defer { Task { await transport.close() } }
        let v2 = (1...3).map { Self.keysFile($0, coinbase: 0xc0 + $0) }
        var files = Dictionary(uniqueKeysWithValues: (1...3).map { ("testnet-keys-s\($0)-v2.json", v2[$0 - 1]) })
        // A registration output left in a node's keystore folder.
        _ = try await transport.run(RemoteCommand("echo '[{\"attester\": \"0x1\"}]' > aztec/keystore/s3_staker_output.json"), on: sandbox.hosts[2])
        let staker = try await Self.tool(sandbox, ["keystores"], keys: try Self.butlerFolder(sandbox, files))
        #expect(staker.status == 1)
        #expect(staker.stderr.contains("aztec/keystore/s3_staker_output.json is in the keystore folder"))
        _ = try await transport.run(RemoteCommand("rm aztec/keystore/s3_staker_output.json"), on: sandbox.hosts[2])
        // A node still on the .env form.
        _ = try await transport.run(RemoteCommand("sed -i 's/^KEY_STORE_DIRECTORY=.*/VALIDATOR_PRIVATE_KEY=0x\(String(repeating: "ab", count: 32))/' aztec/.env"), on: sandbox.hosts[0])
        let envForm = try await Self.tool(sandbox, ["keystores"], keys: try Self.butlerFolder(sandbox, files))
        #expect(envForm.status == 1 && envForm.stderr.contains("the node does not use a keystore"))
        #expect(!envForm.stderr.contains(String(repeating: "ab", count: 32)))
        // A server without a keys file when every server must have one (refused before SSH).
        files["testnet-keys-s3-v2.json"] = nil
        let missing = try await Self.tool(sandbox, ["keystores", "--require-all"], keys: try Self.butlerFolder(sandbox, files))
        #expect(missing.status == 1 && missing.stderr.contains("server s3 has no testnet-keys-s3-v{N}.json"))
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [0, 0, 0])
        for index in 1...2 { #expect(try await Self.keystore(transport, sandbox.hosts[index]) == v1[index]) }
    }

    @Test func aRollingRestartStopsAtTheBatchThatFailsItsGate() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox, keystores: (1...3).map { Self.keysFile($0) })
        defer { Task { await transport.close() } }
        try Self.setMode(sandbox, 2, "stalled")
        let keys = try Self.butlerFolder(sandbox, [:])
        let restart = try await Self.tool(sandbox, ["restart", "--yes", "--settle", "0", "--serial", "1", "--gate-timeout", "6"], keys: keys)
        #expect(restart.status == 1, "\(restart.stderr)")
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [1, 1, 0], "the third server is left untouched")
        #expect(restart.stderr.contains("health gate: ") && restart.stderr.contains("the block number stays at"))
        #expect(restart.stderr.contains("1 host failed by batch 2"))
    }

    @Test func aPlainRestartGoesOneServerAtATimeEachAfterThePreviousPassedItsGate() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox, keystores: (1...3).map { Self.keysFile($0) })
        defer { Task { await transport.close() } }
        try Data().write(to: Self.eventsLog(sandbox))
        let restart = try await Self.tool(sandbox, ["restart", "--yes", "--settle", "0"], keys: try Self.butlerFolder(sandbox, [:]))
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect((1...3).map { Self.restarts(sandbox, $0) } == [1, 1, 1])
        for (offset, host) in sandbox.hosts.enumerated() {
            #expect(restart.stderr.contains("batch \(offset + 1) of 3: \(host.name)\n"), "\(restart.stderr)")
            #expect(restart.stderr.contains("[\(host.name)] health gate passed: ready, block "), "\(restart.stderr)")
        }
        let events = try Self.events(sandbox)
        let restartAt = (1...3).map { index in events.firstIndex { $0.host == "h\(index)" && $0.text == "docker compose restart" } }
        #expect(restartAt.allSatisfy { $0 != nil }, "every restart is in the shared log: \(events.map(\.text))")
        let order = restartAt.compactMap { $0 }
        #expect(order == order.sorted() && order.count == 3, "h1, then h2, then h3: \(order)")
        // Between one server's restart and the next, that server's gate saw it ready and its block advance (two looks at least).
        for index in 1...3 where order.count == 3 {
            let window = events[(order[index - 1] + 1)..<(index < 3 ? order[index] : events.count)].filter { $0.host == "h\(index)" }
            #expect(window.filter { $0.text.contains("node_getBlockNumber") }.count >= 2 && window.contains { $0.text.contains("node_isReady") },
                    "h\(index)'s gate passed before the next server restarted: \(window.map(\.text))")
            #expect(window.contains { $0.text.contains("node_getValidatorsStats") }, "the gate looked for h\(index)'s attester")
        }
    }
}
