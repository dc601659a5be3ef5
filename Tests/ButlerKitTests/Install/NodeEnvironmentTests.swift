import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct NodeEnvironmentTests {
    static let key = "0x" + String(repeating: "ab", count: 32)

    static func host(key: String? = key, rpc: [String] = ["http://l1-a:8545", "http://l1-b:8545"], consensus: [String] = ["http://beacon:5052"],
                     eth: String? = "0x" + String(repeating: "1", count: 40), line: Int = 3) -> RemoteHost {
        AztecInventory.host(name: "node-1", address: "203.0.113.10", ethAddress: eth, privateKey: key.map(Secret.init),
                   l1RPCURLs: rpc, consensusURLs: consensus, line: line)
    }

    @Test func rendersTheServersOwnValuesAndTheFleetsPorts() throws {
        let environment = try NodeEnvironment.make(for: Self.host(), settings: InstallSettings())
        let lines = environment.text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("#") == true)
        #expect(Array(lines.dropFirst()) == [
            "P2P_IP=203.0.113.10", "P2P_PORT=40400", "AZTEC_PORT=8080",
            "ETHEREUM_HOSTS=http://l1-a:8545,http://l1-b:8545", "L1_CONSENSUS_HOST_URLS=http://beacon:5052",
            "VALIDATOR_PRIVATE_KEY=\(Self.key)", "COINBASE=0x" + String(repeating: "1", count: 40),
            "DATA_DIRECTORY=/var/lib/aztec", "LOG_LEVEL=info",
        ])
    }

    @Test func fleetWideURLsFillRowsWithoutThemAndRowsWin() throws {
        let settings = InstallSettings(l1RPCURLs: ["http://fleet-l1:8545"], consensusURLs: ["http://fleet-beacon:5052"])
        let fromFleet = try NodeEnvironment.make(for: Self.host(rpc: [], consensus: []), settings: settings)
        #expect(fromFleet["ETHEREUM_HOSTS"] == "http://fleet-l1:8545")
        #expect(fromFleet["L1_CONSENSUS_HOST_URLS"] == "http://fleet-beacon:5052")
        let fromRow = try NodeEnvironment.make(for: Self.host(), settings: settings)
        #expect(fromRow["ETHEREUM_HOSTS"] == "http://l1-a:8545,http://l1-b:8545")
    }

    @Test func verboseNodeLogsWriteTheRunbookPreset() throws {
        let environment = try NodeEnvironment.make(for: Self.host(), settings: InstallSettings(logLevel: "warn", verboseNodeLogs: true))
        #expect(environment["LOG_LEVEL"] == "debug")
        #expect(environment["LOG_JSON"] == "1")
        #expect(environment["DEBUG"] == "discv5*,aztec:*,-aztec:avm_simulator*,-aztec:circuits:artifact_hash,-json-rpc*,-aztec:world-state:database,-aztec:l2_block_stream*")
    }

    @Test func missingValuesNameTheInventoryLineAndColumns() {
        do {
            _ = try NodeEnvironment.make(for: Self.host(key: nil, rpc: [], consensus: [], eth: nil, line: 7), settings: InstallSettings(inventoryName: "servers.csv"))
            Issue.record("expected an error")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("servers.csv line 7 (node-1) cannot run a node: "))
            #expect(text.contains("'private_key' column"))
            #expect(text.contains("'address' column (also read as eth_address"))
            #expect(text.contains("'l1_rpc' column") && text.contains("fleet-wide L1 RPC URLs") && !text.contains("--"))
            #expect(text.contains("'l1_consensus' column") && text.contains("beacon") && text.contains("fleet-wide L1 consensus URLs"))
        }
    }

    @Test func aLineBreakInAValueCannotAddVariables() {
        var host = Self.host()
        host.variables["p2p_ip"] = "203.0.113.10\nVALIDATOR_PRIVATE_KEY=0xevil"
        #expect(throws: NodeConfigurationError.self) {
            try NodeEnvironment.make(for: host, settings: InstallSettings())
        }
        // In a URL list a line break only separates items: no new variable either way.
        let split = try? NodeEnvironment.make(for: Self.host(rpc: ["http://x\nVALIDATOR_PRIVATE_KEY=0xevil"]), settings: InstallSettings())
        #expect(split.map { !$0.text.contains("\nVALIDATOR_PRIVATE_KEY=0xevil") } ?? true)
    }

    @Test func composeFilePinsTheImageAndNeverPublishesTheAdminPort() {
        let text = ComposeFile.text(InstallSettings(aztecVersion: "2.1.2"))
        #expect(text.contains("image: \"aztecprotocol/aztec:2.1.2\""))
        #expect(text.contains("\"40400:40400/tcp\"") && text.contains("\"40400:40400/udp\"") && text.contains("\"8080:8080\""))
        #expect(!text.contains("8880"))
        #expect(text.contains("env_file: .env"))
        #expect(text.contains("--network testnet --node --archiver --sequencer"))
    }
}
