@testable import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// The refusals of a keystore push that need no server, and the keystore summaries and diffs.
@Suite(.tags(.unit))
struct KeystoreCatalogTests {
    typealias F = ButlerFixtures

    static func folder(_ files: [String: String]) throws -> ButlerKeysFolder {
        let url = try F.temporaryFolder()
        for (name, text) in files { try F.write(text, name, in: url) }
        return ButlerKeysFolder(folder: url, network: "testnet")
    }

    static func refusal(_ files: [String: String], servers: [String] = ["s1", "s2"], everyServer: Bool = false) throws -> [String] {
        let source = try folder(files)
        do {
            _ = try KeystoreCatalog.load(source, servers: servers, requiresEveryServer: everyServer)
            return []
        } catch {
            return error.reasons
        }
    }

    /// The inspection's shell lines run on a node folder whose `.env` holds `settings`.
    static func inspected(env settings: String) async throws -> (summary: KeystoreSummary, text: String) {
        let node = try F.temporaryFolder()
        try FileManager.default.createDirectory(at: node.appendingPathComponent("keystore"), withIntermediateDirectories: true)
        try "{\"schemaVersion\": 1, \"validators\": []}".write(to: node.appendingPathComponent("keystore/keystore.json"), atomically: true, encoding: .utf8)
        try ("KEY_STORE_DIRECTORY=/var/lib/aztec-keystore\n" + settings).write(to: node.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", KeystoreInspection.script(ComposeLayout(nodeDirectory: node.path))],
                                                                timeout: .seconds(30)))
        let text = String(decoding: output.standardOutput, as: UTF8.self)
        let lines: [(key: String, value: String)] = text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 && parts[0] != "keys" ? (key: parts[0], value: parts[1]) : nil
        }
        return (KeystoreInspection.parse(lines), text)
    }

    @Test func highAvailabilitySettingsAreReadAndTheDatabaseURLNeverLeavesTheServer() async throws {
        let one = try await Self.inspected(env: """
            VALIDATOR_HA_SIGNING_ENABLED=true
            VALIDATOR_HA_NODE_ID="validator-node-1"
            VALIDATOR_HA_DATABASE_URL=postgresql://ha:S3cretPassw0rd@db.internal:5432/validator_ha?sslmode=require

            """)
        #expect(one.summary.highAvailabilitySigning)
        #expect(one.summary.highAvailabilityNodeID == "validator-node-1")
        let database = try #require(one.summary.highAvailabilityDatabase)
        #expect(database.count == 16 && database.allSatisfy(\.isHexDigit))
        #expect(!one.text.contains("S3cretPassw0rd") && !one.text.contains("db.internal"), "\(one.text)")
        // Another node of the same database with its own user and password compares equal; another database does not.
        let two = try await Self.inspected(env: "VALIDATOR_HA_DATABASE_URL='postgresql://node2:0ther@db.internal:5432/validator_ha'\n")
        #expect(two.summary.highAvailabilityDatabase == database)
        #expect(!two.summary.highAvailabilitySigning && two.summary.highAvailabilityNodeID == nil)
        let three = try await Self.inspected(env: "VALIDATOR_HA_DATABASE_URL=postgresql://ha:S3cretPassw0rd@db.internal:5432/other_db\n")
        #expect(three.summary.highAvailabilityDatabase != database)
        let none = try await Self.inspected(env: "")
        #expect(none.summary.highAvailabilityDatabase == nil && none.summary.highAvailabilityNodeID == nil)
    }

    @Test func everyGapInTheHighAvailabilitySetupIsNamed() {
        func node(_ host: String, _ server: String, signing: Bool = true, id: String? = nil, database: String? = "db1") -> HighAvailabilitySigningCheck.Node {
            .init(host: host, serverId: server, keystore: KeystoreSummary(highAvailabilitySigning: signing, highAvailabilityNodeID: id, highAvailabilityDatabase: database))
        }
        let attesters = ["0xa1": ["s1", "s2"], "0xa2": ["s2", "s1"], "0xa3": ["s3", "s4"]]
        let good = HighAvailabilitySigningCheck.findings(attesters: attesters, nodes: [
            node("n1", "s1", id: "a"), node("n2", "s2", id: "b"), node("n3", "s3", id: "c"), node("n4", "s4", id: "d")])
        #expect(good.isEmpty, "\(good)")
        let gaps = HighAvailabilitySigningCheck.findings(attesters: attesters, nodes: [
            node("n1", "s1", signing: false, id: "a"), node("n2", "s2", id: "a", database: nil),
            node("n3", "s3", id: "c", database: "db1"), node("n4", "s4", database: "db2"), node("n5", "s5", signing: false)])
        #expect(gaps == [
            "n1: VALIDATOR_HA_SIGNING_ENABLED=true is not in the node's .env, yet it holds 2 attesters shared by n1, n2: without the shared slashing-protection database two nodes can sign the same duty",
            "n2: no VALIDATOR_HA_DATABASE_URL in the node's .env (2 attesters shared by n1, n2)",
            "n1, n2 use the same VALIDATOR_HA_NODE_ID a (2 attesters shared by n1, n2): each node needs its own",
            "n4: no VALIDATOR_HA_NODE_ID in the node's .env (1 attester shared by n3, n4)",
            "1 attester shared by n3, n4 name 2 different slashing-protection databases in VALIDATOR_HA_DATABASE_URL: they must all use one",
        ], "\(gaps)")
        // A server not inspected (unreachable) leaves a group of one: nothing to compare.
        #expect(HighAvailabilitySigningCheck.findings(attesters: ["0xa1": ["s1", "s2"]], nodes: [node("n1", "s1", signing: false)]).isEmpty)
    }

    @Test func newestFileOfEachServerIsTakenWithItsBytes() throws {
        let v1 = F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\"")])
        let v2 = F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\"", coinbase: 9)])
        let source = try Self.folder(["testnet-keys-s1-v1.json": v1, "testnet-keys-s1-v2.json": v2, "mainnet-keys-s2-v1.json": v1])
        let catalog = try KeystoreCatalog.load(source, servers: ["s1", "s2"], requiresEveryServer: false)
        #expect(catalog.files["s1"]?.name == "testnet-keys-s1-v2.json" && catalog.files["s1"]?.version == 2)
        #expect(catalog.files["s1"]?.contents == Data(v2.utf8))
        #expect(catalog.files["s2"] == nil, "another network's file is not this server's")
    }

    @Test func aFileFailingTheButlersChecksIsRefused() throws {
        let reasons = try Self.refusal(["testnet-keys-s1-v1.json": "{\"schemaVersion\": 1, \"validators\": [{\"attester\": {\"eth\": \"0x12\"}}]}"])
        #expect(reasons.count == 1 && reasons[0].contains("testnet-keys-s1-v1.json fails the Butler's checks"))
    }

    @Test func anAttesterOnTwoServersOutsideHighAvailabilityIsRefused() throws {
        let one = "{\"schemaVersion\": 1, \"validators\": [\(F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\""))]}"
        let two = "{\"schemaVersion\": 1, \"validators\": [\(F.validator(attester: 1, publisher: "\"\(F.address(0xa2))\""))]}"
        let reasons = try Self.refusal(["testnet-keys-s1-v1.json": one, "testnet-keys-s2-v1.json": two])
        #expect(reasons.contains { $0.contains("attester \(F.address(1)) is in testnet-keys-s1-v1.json and testnet-keys-s2-v1.json outside the high-availability shape") })
    }

    @Test func highAvailabilityWithDistinctPublishersPassesAndWarnsAboutTheSlashingDatabase() throws {
        let one = F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\"")])
        let two = F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa2))\"")])
        let catalog = try KeystoreCatalog.load(try Self.folder(["testnet-keys-s1-v1.json": one, "testnet-keys-s2-v1.json": two]),
                                               servers: ["s1", "s2"], requiresEveryServer: false)
        #expect(catalog.highAvailability[F.address(1)] == ["s1", "s2"])
        #expect(catalog.warnings.count == 1 && catalog.warnings[0].contains("share one PostgreSQL slashing-protection database"))
    }

    @Test func aHighAvailabilityAttesterSharingAPublisherIsRefused() throws {
        let one = F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\"")])
        let two = F.keysFile([F.validator(attester: 1, publisher: "[\"\(F.address(0xa2))\", \"\(F.address(0xa1))\"]")])
        let reasons = try Self.refusal(["testnet-keys-s1-v1.json": one, "testnet-keys-s2-v1.json": two])
        #expect(reasons.contains { $0.contains("high-availability attester \(F.address(1)) has publisher \(F.address(0xa1)) on servers s1 and s2") })
    }

    @Test func aServerWithoutAFileIsRefusedOnlyWhenEveryServerMustHaveOne() throws {
        let one = F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\"")])
        #expect(try Self.refusal(["testnet-keys-s1-v1.json": one]).isEmpty)
        let reasons = try Self.refusal(["testnet-keys-s1-v1.json": one], everyServer: true)
        #expect(reasons.count == 1 && reasons[0].hasPrefix("server s2 has no testnet-keys-s2-v{N}.json in "))
    }

    @Test func aPrivateKeyInAFileForARemoteSignerIsRefusedByPath() throws {
        let leaked = "{\"schemaVersion\": 1, \"remoteSigner\": \"https://signer.example.com\", \"validators\": [{\"attester\": {\"eth\": \"\(F.word(0x51))\", \"bls\": \"\(F.word(2))\"}, \"feeRecipient\": \"\(F.word(0))\", \"publisher\": [\"\(F.address(3))\", \"\(F.word(0x52))\"]}]}"
        let reasons = try Self.refusal(["testnet-keys-s1-v1.json": leaked])
        #expect(reasons == ["testnet-keys-s1-v1.json names a remote signer but holds a private key at validators[0].attester.eth, validators[0].publisher[1]; a file meant for a remote signer must hold addresses only"])
        #expect(!reasons.joined().contains(String(F.word(0x51).dropFirst(2))), "the key itself is never shown")
    }

    @Test func theNodesKeystoreIsReadByAddressOnly() {
        let tokens = ["key schemaVersion", "key remoteSigner", "key validators", "key attester", "key eth", "addr 0xAA" + String(repeating: "0", count: 38),
                      "key bls", "secret", "key coinbase", "addr 0x" + String(repeating: "c", count: 40), "key feeRecipient", "secret",
                      "key publisher", "addr 0x" + String(repeating: "d", count: 40), "secret",
                      "key attester", "secret"]
        let summary = KeystoreInspection.parse(tokens.map { ("ks", $0) } + [("keystore_source", "testnet-keys-s1-v4.json"), ("keystore_other", "x_staker_output.json")])
        #expect(summary.remoteSigner && summary.version == 4 && summary.otherFiles == ["x_staker_output.json"])
        #expect(summary.validators.count == 2)
        #expect(summary.validators[0] == .init(attester: "0xAA" + String(repeating: "0", count: 38), coinbase: "0x" + String(repeating: "c", count: 40),
                                               publishers: ["0x" + String(repeating: "d", count: 40)], privatePublishers: 1))
        #expect(summary.validators[1].attester == nil, "a secret where no attester key is expected gives no address")
        #expect(summary.attesters == ["0xaa" + String(repeating: "0", count: 38)])
    }

    /// Keys with known addresses: 1, and the first account of Hardhat's and Anvil's test mnemonic.
    static let keyOne = "0x" + String(repeating: "0", count: 63) + "1"
    static let addressOne = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
    static let anvilKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    static let anvilAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    @Test func attestersGivenAsPrivateKeysShowTheirDerivedAddressNeverTheKey() async throws {
        // The inspection's own shell lines, run here on a node folder holding a private keystore.
        let node = try F.temporaryFolder()
        let bls = "0x" + String(repeating: "b1", count: 32)
        let publisherKey = "0x" + String(repeating: "5a", count: 32)
        let keystore = """
            {"schemaVersion": 1, "validators": [
              {"attester": {"eth": "\(Self.keyOne)", "bls": "\(bls)"}, "coinbase": "\(F.address(0xc1))", "publisher": ["\(publisherKey)"],
               "feeRecipient": "\(F.word(0))"},
              {"attester": "\(Self.anvilKey)", "publisher": "\(F.address(0xa2))", "feeRecipient": "\(F.word(0))"},
              {"attester": {"eth": "0x\(String(repeating: "0", count: 64))", "bls": "\(bls)"}, "feeRecipient": "\(F.word(0))"}
            ]}
            """
        try FileManager.default.createDirectory(at: node.appendingPathComponent("keystore"), withIntermediateDirectories: true)
        try keystore.write(to: node.appendingPathComponent("keystore/keystore.json"), atomically: true, encoding: .utf8)
        try "KEY_STORE_DIRECTORY=/var/lib/aztec-keystore\n".write(to: node.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", KeystoreInspection.script(ComposeLayout(nodeDirectory: node.path))],
                                                                timeout: .seconds(30)))
        let text = String(decoding: output.standardOutput, as: UTF8.self)
        #expect(output.status == 0, "\(String(decoding: output.standardError, as: UTF8.self))")
        #expect(!text.contains(String(bls.dropFirst(2))) && !text.contains(String(publisherKey.dropFirst(2))), "BLS and publisher keys stay on the server: \(text)")
        let lines: [(key: String, value: String)] = text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (key: parts[0], value: parts[1]) : nil
        }
        let summary = KeystoreInspection.parse(lines.filter { $0.key != "keys" })
        #expect(summary.validators.map { $0.attester } == [Self.addressOne, Self.anvilAddress, nil], "the zero key is no key: no address")
        #expect(summary.attesters == [Self.addressOne.lowercased(), Self.anvilAddress.lowercased()])
        #expect(summary.validators[0].privatePublishers == 1 && summary.validators[1].publishers == [F.address(0xa2)])
        var status = NodeStatus(host: "n1", address: "10.0.0.1", layout: .compose)
        status.keyForm = .keystore
        status.keystore = summary
        let table = NodeInspector.table([status])
        #expect(table.contains("  attester \(Self.addressOne) coinbase \(F.address(0xc1)) publishers 1 by private key\n"), "\(table)")
        #expect(table.contains("  attester \(Self.anvilAddress) coinbase (none) publishers \(F.address(0xa2))\n"), "\(table)")
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        for key in [Self.keyOne, Self.anvilKey, bls, publisherKey] {
            #expect(!table.contains(String(key.dropFirst(2))) && !json.contains(String(key.dropFirst(2))), "no key in what status shows")
        }
    }

    @Test func theDiffNamesAddedRemovedAttestersAndChangedCoinbasesAndPublishers() throws {
        let file = try KeysFile.decode(Data(F.keysFile([F.validator(attester: 1, publisher: "\"\(F.address(0xa1))\"", coinbase: 9),
                                                        F.validator(attester: 2, publisher: "\"\(F.address(0xa1))\"")]).utf8), fileName: "f")
        let node = KeystoreSummary(validators: [.init(attester: F.address(1), coinbase: nil, publishers: [F.address(0xa1)]),
                                                .init(attester: F.address(3), publishers: [F.address(0xa1)])], version: 1)
        let change = KeystoreChange.compare(host: "n1", serverId: "s1", fileName: "testnet-keys-s1-v2.json", file: file, node: node, differs: true)
        #expect(change.attestersAdded == [F.address(2)] && change.attestersRemoved == [F.address(3)])
        #expect(change.coinbases == [.init(attester: F.address(1), from: nil, to: F.address(9))])
        #expect(change.publishers.isEmpty)
        #expect(change.lines.contains("  ~ coinbase of \(F.address(1)): (none) → \(F.address(9))"))
        #expect(change.lines.first == "n1: testnet-keys-s1-v2.json (node at v1)")
    }

    @Test func theHealthGateWantsReadyAnAdvancingBlockAndTheAttesters() {
        var watch = NodeHealthWatch(transport: FleetKitTesting.ScriptedTransport({ _, _ in .exit(0) }), host: RemoteHost(name: "n", address: "h"), rpcPort: 8080,
                                    expectedAttesters: [F.address(1)])
        func look(_ ready: Bool, _ block: Int64, stats: [String: JSONValue] = [:]) -> [String: JSONValue] {
            ["ready": .bool(ready), "block": .integer(block), "stats": .object(["stats": .object(stats)])]
        }
        #expect(watch.judge(look(false, 5)) == .waiting("the node is not ready (node_isReady)"))
        #expect(watch.judge(look(true, 5)) == .waiting("at block 5; waiting for it to advance"))
        #expect(watch.judge(look(true, 5)) == .waiting("the block number stays at 5"))
        #expect(watch.judge(look(true, 6)) == .waiting("block advanced 5 → 6, but 1 attester not in the validator stats: \(F.address(1))"))
        let shown = "0x" + F.address(1).dropFirst(2).uppercased()
        #expect(watch.judge(look(true, 7, stats: [shown: .object([:])])) == .healthy("ready, block 5 → 7, 1 attester in the validator stats"))
    }

    @Test func aRowBecomesAOneValidatorKeystoreWithItsCoinbase() throws {
        let key = "ab" + String(repeating: "cd", count: 31)
        let host = AztecInventory.host(name: "n", address: "h", ethAddress: F.address(7), privateKey: Secret(key))
        let text = try #require(InventoryKeystore.text(for: host))
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case .object(let root) = json, case .array(let validators)? = root["validators"], case .object(let v)? = validators.first,
              case .object(let attester)? = v["attester"] else { Issue.record("not a keystore: \(text)"); return }
        #expect(attester["eth"] == .string("0x" + key))
        #expect(v["coinbase"] == .string(F.address(7)))
        #expect(InventoryKeystore.text(for: AztecInventory.host(name: "n", address: "h")) == nil)
    }
}
