import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The aztec stage on the keystore form: a fresh server from its inventory row, a compose
/// server on the `.env` form and one the original toolkit installed, both moved with nothing lost.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct KeystoreInstallOverSSHTests {
    static let rowKey = "0x" + String(repeating: "1a", count: 32)
    static let envKeys = ["0x" + String(repeating: "2b", count: 32), "0x" + String(repeating: "2c", count: 32)]
    static let originalKey = "0x" + String(repeating: "3d", count: 32)
    static let envCoinbase = "0x" + String(repeating: "e", count: 40)
    static let originalCoinbase = "0x" + String(repeating: "f", count: 40)
    static let layoutArguments = ["--original-home", "original", "--original-unit", "original/aztec-node.service"]

    @Test func freshInstallAndMovesFromTheEnvironmentAndOriginalLayoutsLoseNothing() async throws {
        let sandbox = try currentSandbox()
        let installers = try AztecFleetSandbox.prepare(sandbox)
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-ki\(UInt16.random(in: 0 ... .max))"))
        defer { Task { await transport.close() } }
        let (h1, h2, h3) = (sandbox.hosts[0], sandbox.hosts[1], sandbox.hosts[2])
        for index in 1...3 { for name in ["docker.installed", "systemd.docker.active"] { try AztecFleetSandbox.setState(sandbox, index, name) } }
        _ = try await transport.run(RemoteCommand("rm -rf aztec original"), on: h1)
        // h2: our compose install on the .env form, with two keys from update-keys.
        let env = "P2P_IP=\(h2.address)\nETHEREUM_HOSTS=http://l1.test\nL1_CONSENSUS_HOST_URLS=http://beacon.test\nVALIDATOR_PRIVATE_KEYS=\(Self.envKeys.joined(separator: ","))\nCOINBASE=\(Self.envCoinbase)\n"
        _ = try await transport.run(RemoteCommand("rm -rf aztec original; mkdir -p aztec/data"), on: h2)
        _ = try await transport.upload(Data(ComposeFile.text(InstallSettings(aztecVersion: "2.1.2")).utf8), to: "aztec/docker-compose.yml", mode: 0o644, on: h2)
        _ = try await transport.upload(Data(env.utf8), to: "aztec/.env", mode: 0o600, on: h2)
        // h3: as the original toolkit left it.
        _ = try await transport.run(RemoteCommand("rm -rf aztec original; mkdir -p original/.aztec/bin original/.aztec/testnet/data && echo block > original/.aztec/testnet/data/db && touch original/.aztec_installed"), on: h3)
        let start = "#!/bin/bash\naztec start --node --archiver --sequencer \\\n  --network alpha-testnet \\\n  --l1-rpc-urls \"http://l1.test\" \\\n  --l1-consensus-host-urls \"http://beacon.test\" \\\n  --sequencer.validatorPrivateKeys \(Self.originalKey) \\\n  --sequencer.coinbase \(Self.originalCoinbase) \\\n  --p2p.p2pIp \(h3.address)\n"
        _ = try await transport.upload(Data(start.utf8), to: "original/start_aztec_node.sh", mode: 0o755, on: h3)
        _ = try await transport.upload(Data("[Service]\nExecStart=/root/start_aztec_node.sh\n".utf8), to: "original/aztec-node.service", mode: 0o644, on: h3)
        try AztecFleetSandbox.setState(sandbox, 3, "systemd.aztec-node.service.active")
        for index in 1...3 { try AztecFleetSandbox.chownToLoginUser(AztecFleetSandbox.stateFolder(sandbox, index)) }

        let inventory = sandbox.directory.appendingPathComponent("keystore-install.csv")
        let csv = "name,ip,user,port,eth_address,private_key\n" + sandbox.hosts.enumerated().map { index, host in
            "\(host.name),\(host.address),fleettest,22,0x\(String(repeating: String(index + 1), count: 40)),\(index == 0 ? Self.rowKey : AztecFleetSandbox.privateKey())"
        }.joined(separator: "\n") + "\n"
        try csv.write(to: inventory, atomically: true, encoding: .utf8)
        func aztec(_ extra: [String]) async throws -> (status: Int32, stderr: String) {
            let output = try await ProcessRunner.run(ProcessRequest(
                executable: try BuiltTool.path("aztec-fleet"),
                arguments: ["aztec", inventory.path, "--keystore", "--installer-url", installers.aztec, "--node-wait", "5", "--retries", "0",
                            "--l1-rpc", "http://l1.test", "--consensus", "http://beacon.test"] + Self.layoutArguments + extra
                    + AztecFleetSandbox.connectionArguments(sandbox, logs: sandbox.directory.appendingPathComponent("logs-keystore-install")),
                timeout: .seconds(300), environment: AztecFleetSandbox.toolEnvironment))
            return (output.status, String(decoding: output.standardError, as: UTF8.self))
        }

        // Without the migration the .env server fails and the original one is refused; nothing of theirs changes.
        let first = try await aztec([])
        #expect(first.status == 1)
        #expect(first.stderr.contains("choose the migration to move them into a keystore"))
        #expect(try await transport.run(RemoteCommand("cat aztec/.env"), on: h2).standardOutput == env)
        #expect(try await transport.run(RemoteCommand("test -e aztec/keystore/keystore.json"), on: h2).succeeded == false)

        let moved = try await aztec(["--migrate"])
        #expect(moved.status == 0, "\(moved.stderr)")
        for key in [Self.rowKey] + Self.envKeys + [Self.originalKey] { #expect(!moved.stderr.contains(String(key.dropFirst(2)))) }

        // h1: the row's key and address, folder 0700, file 0600, mounted read-only, no key in .env.
        let fresh = try await transport.run(RemoteCommand("stat -c '%a' aztec/keystore aztec/keystore/keystore.json; cat aztec/keystore/keystore.json; cat aztec/.env; cat aztec/docker-compose.yml"), on: h1).standardOutput
        #expect(fresh.hasPrefix("700\n600\n"))
        #expect(fresh.contains("\"eth\": \"\(Self.rowKey)\"") && fresh.contains("\"coinbase\": \"0x\(String(repeating: "1", count: 40))\""))
        #expect(fresh.contains("KEY_STORE_DIRECTORY=/var/lib/aztec-keystore") && !fresh.contains("VALIDATOR_PRIVATE_KEY"))
        #expect(fresh.contains("- ./keystore:/var/lib/aztec-keystore:ro"))

        // h2: both keys with the node's coinbase, the old .env kept 0600 as it was.
        let fromEnv = try await transport.run(RemoteCommand("cat aztec/keystore/keystore.json; stat -c '%a' aztec/backups/env-form.env.*; cat aztec/backups/env-form.env.*"), on: h2).standardOutput
        for key in Self.envKeys { #expect(fromEnv.contains("\"eth\": \"\(key)\"")) }
        #expect(fromEnv.components(separatedBy: "\"coinbase\": \"\(Self.envCoinbase)\"").count == 3)
        #expect(fromEnv.hasSuffix("600\n" + env))

        // h3: the start script's key and coinbase, its data moved.
        let fromOriginal = try await transport.run(RemoteCommand("cat aztec/keystore/keystore.json; cat aztec/data/db; test -e original/start_aztec_node.sh.migrated && echo retired"), on: h3).standardOutput
        #expect(fromOriginal.contains("\"eth\": \"\(Self.originalKey)\"") && fromOriginal.contains("\"coinbase\": \"\(Self.originalCoinbase)\""))
        #expect(fromOriginal.hasSuffix("block\nretired\n"))

        // status: every node on the keystore form, coinbases by address, no key shown.
        let status = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: ["status", inventory.path, "--json"] + Self.layoutArguments
                + AztecFleetSandbox.connectionArguments(sandbox, logs: sandbox.directory.appendingPathComponent("logs-keystore-install")),
            timeout: .seconds(120), environment: AztecFleetSandbox.toolEnvironment))
        let text = String(decoding: status.standardOutput, as: UTF8.self)
        let statuses = try JSONDecoder().decode([NodeStatus].self, from: status.standardOutput)
        #expect(statuses.map(\.keyForm) == [.keystore, .keystore, .keystore])
        #expect(statuses.map { $0.keystore?.validators.count } == [1, 2, 1])
        #expect(statuses[1].keystore?.coinbases == [Self.envCoinbase] && statuses[2].keystore?.coinbases == [Self.originalCoinbase])
        for key in [Self.rowKey] + Self.envKeys + [Self.originalKey] { #expect(!text.contains(String(key.dropFirst(2)))) }
        // The attesters are held as private keys: status shows the addresses derived from them.
        func address(_ key: String) -> String? { Hex.decode(key).flatMap { PublicKeyDerivation.ethereumAddress(privateKey: $0)?.lowercaseHex } }
        let expected = [[Self.rowKey], Self.envKeys, [Self.originalKey]].map { $0.map(address) }
        #expect(statuses.map { $0.keystore?.attesters ?? [] } == expected.map { $0.compactMap { $0 } } && !expected.joined().contains(nil))
    }
}
