import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// The coinbase loop end to end through the library entry points: a delegation staked on
/// the local EVM names an attester's coinbase; `CoinbaseScrape` maps it, `CoinbaseFilling`
/// writes the next version of that server's keys file, and `KeystorePush` puts it on three
/// sandbox nodes (keystore form, stand-in nodes behind the health gate).
@Suite(.serialized, .tags(.evm, .sandbox), .requires(.evm), .requires(.sandbox), .sandboxHosts(3))
struct CoinbaseLoopOverEVMTests {
    static func attester(_ server: Int) -> EthereumAddress { testAddress(0xA7, server) }
    static func coinbase(_ server: Int) -> EthereumAddress { testAddress(0xC0, server) }

    /// Server `server`'s keys file: its one attester, the coinbase when given, its own publisher.
    static func keysFile(_ server: Int, coinbase: EthereumAddress?) -> String {
        let coinbaseField = coinbase.map { #""coinbase": "\#($0.checksummed)", "# } ?? ""
        return """
            {"schemaVersion": 1, "remoteSigner": "https://signer.example:8080", "validators": [{"attester": {"eth": "\(attester(server).checksummed)", \
            "bls": "0x\(String(repeating: "1", count: 64))"}, \(coinbaseField)"feeRecipient": "0x\(String(repeating: "0", count: 64))", \
            "publisher": "\(testAddress(0xB0, server).checksummed)"}]}
            """
    }

    static func stake(_ fixture: DaemonFixture, _ server: Int) async throws {
        try await fixture.transact("StakingRegistry", "stake", [1, .string(fixture.evm.deployment.rollup.lowercaseHex), .string(attester(server).lowercaseHex),
                                                                 .string(coinbase(server).lowercaseHex), .string(testAddress(0x11, 1).lowercaseHex)])
    }

    @Test func aCoinbaseStakedOnChainReachesExactlyItsServersKeystoreWithOneRestart() async throws {
        let sandbox = try currentSandbox()
        try await DaemonFixture.with { fixture in
            // Servers s1 and s3 were staked with their coinbases; s2's attester not yet.
            let v1 = [Self.keysFile(1, coinbase: Self.coinbase(1)), Self.keysFile(2, coinbase: nil), Self.keysFile(3, coinbase: Self.coinbase(3))]
            for (offset, text) in v1.enumerated() {
                try text.write(to: fixture.folder.appendingPathComponent("testnet-keys-s\(offset + 1)-v1.json"), atomically: true, encoding: .utf8)
            }
            try await Self.stake(fixture, 1)
            try await Self.stake(fixture, 3)
            let transport = try await KeystorePushOverSSHTests.prepare(sandbox, keystores: v1)
            defer { Task { await transport.close() } }
            for index in 1...3 {
                // Each node's sentinel follows its server's attester, which the health gate looks for.
                let stats = #"{"stats": {"\#(Self.attester(index).lowercaseHex)": {"address": "\#(Self.attester(index).lowercaseHex)", "totalSlots": 3}}}"#
                try stats.write(to: sandbox.hostDirectory(index).appendingPathComponent("stats.json"), atomically: true, encoding: .utf8)
            }

            // The delegation of s2's attester arrives on chain.
            try await Self.stake(fixture, 2)

            // scrape-coinbases: every attester of the keys files is mapped.
            let scrape = try await CoinbaseScrape(configuration: try fixture.configuration(), start: .block(0), chunkSize: 1_000,
                                                  stakingRegistry: fixture.evm.deployment.stakingRegistry).run()
            let scraped = try #require(scrape.report)
            #expect(scraped.totalMappings == 3 && scraped.attestersWithoutMapping.isEmpty, "\(scraped)")

            // fill-coinbases --increment-version on each server's file: only s2's has something to fill.
            var written: [String] = []
            for server in 1...3 {
                let fill = try CoinbaseFilling(network: "testnet", dataDirectory: fixture.folder, keysFile: "testnet-keys-s\(server)-v1.json",
                                               workingDirectory: fixture.folder, writeNextVersion: true).run()
                if let file = fill.report.written { written.append(URL(fileURLWithPath: file).lastPathComponent) }
            }
            #expect(written == ["testnet-keys-s2-v2.json"])
            let v2 = try String(contentsOf: fixture.folder.appendingPathComponent("testnet-keys-s2-v2.json"), encoding: .utf8)

            // The push, servers named by their Butler ids, one at a time behind the health gate.
            let hosts = sandbox.hosts.enumerated().map { offset, host -> RemoteHost in
                var host = host
                host.variables[AztecInventory.Key.serverId] = "s\(offset + 1)"
                return host
            }
            let sessionTransport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-cl\(UInt16.random(in: 0 ... .max))"))
            let configuration = FleetSession.Configuration(inventory: .hosts(hosts, name: "servers"), run: try RunOptions(defaultTimeout: .seconds(120)),
                                                           log: .log(.discarding), transport: sessionTransport)
            let push = KeystorePush(source: ButlerKeysFolder(folder: fixture.folder, network: "testnet"),
                                    rollout: RolloutPolicy(gateTimeout: .seconds(120), gateInterval: .seconds(1)), settle: .zero)
            let report = try await FleetSession.with(configuration) { session in try await session.run(push) }
            #expect(report.succeeded, "\(report.lines)")
            #expect(report.restarted == [hosts[1].name], "\(report.lines)")
            #expect((1...3).map { KeystorePushOverSSHTests.restarts(sandbox, $0) } == [0, 1, 0], "only s2's node restarts")
            #expect(report.changes.first { $0.host == hosts[1].name }?.lines.contains {
                $0.contains("coinbase of") && $0.lowercased().contains("(none) → \(Self.coinbase(2).lowercaseHex)")
            } == true, "\(report.lines)")

            // s2's node holds the file the Butler wrote, with the coinbase from the chain; the others are untouched.
            let keystores = try await (0..<3).asyncMap { try await KeystorePushOverSSHTests.keystore(transport, sandbox.hosts[$0]) }
            #expect(keystores == [v1[0], v2, v1[2]])
            let onNode = try KeysFile.decode(Data(keystores[1].utf8), fileName: "keystore.json")
            #expect(onNode.validators.map { $0.coinbase?.address } == [Self.coinbase(2)])
        }
    }
}

extension Sequence where Element: Sendable {
    /// The elements mapped one after the other by an async function.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
