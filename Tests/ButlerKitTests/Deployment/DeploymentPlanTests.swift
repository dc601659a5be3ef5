@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Every rule of `prepare-deployment`, without a chain.
@Suite(.tags(.unit)) struct DeploymentPlanTests {
    static func file(_ text: String, _ name: String = "prod.json") throws -> NamedKeysFile {
        NamedKeysFile(name: name, file: try KeysFile.decode(Data(text.utf8), fileName: name, publisherOptional: true))
    }

    static func production(_ attesters: [Int], coinbase: Bool = true) throws -> NamedKeysFile {
        try file(ButlerFixtures.keysFile(attesters.map { ButlerFixtures.validator(attester: $0, coinbase: coinbase ? 0xC000 + $0 : nil) }))
    }

    /// New validators as a key generator writes them: no publisher, no coinbase.
    static func newKeys(_ attesters: [Int]) throws -> NamedKeysFile {
        let validators = attesters.map { #"{"attester": {"eth": "\#(ButlerFixtures.address($0))", "bls": "\#(ButlerFixtures.word($0))"}, "feeRecipient": "\#(ButlerFixtures.word(0))"}"# }
        return try file(#"{"validators": [\#(validators.joined(separator: ", "))]}"#, "new.json")
    }

    static func publisher(_ number: Int) -> KeysFileAddress { KeysFileAddress(ButlerFixtures.address(number)) ?? KeysFileAddress(.zero) }

    static func publishers(_ json: String) throws -> AvailablePublishers {
        try AvailablePublishers.decode(Data(json.utf8), fileName: "publishers.json")
    }

    @Test func roundRobinCyclesThroughThePublishers() {
        #expect(DeploymentPlan.roundRobin(["a", "b", "c"], count: 7) == ["a", "b", "c", "a", "b", "c", "a"])
        #expect(DeploymentPlan.roundRobin(["a"], count: 3) == ["a", "a", "a"])
        #expect(DeploymentPlan.roundRobin([String](), count: 3).isEmpty)
        #expect(DeploymentPlan.roundRobin(["a", "b"], count: 0).isEmpty)
    }

    @Test func mergedOrderCoinbasesPublishersAndVersions() throws {
        let publishers = try Self.publishers(#"{"b-2": ["\#(ButlerFixtures.address(0xB1))"], "a": ["\#(ButlerFixtures.address(0xA1))", "\#(ButlerFixtures.address(0xA2))"]}"#)
        let cache = CachedCoinbases(coinbases: [EthereumAddress(hex: ButlerFixtures.address(11)) ?? .zero: Self.publisher(0xCCCC),
                                                EthereumAddress(hex: ButlerFixtures.address(1)) ?? .zero: Self.publisher(0xDDDD)])
        let existing = [KeysFileName(network: "testnet", serverId: "a", version: 3), KeysFileName(network: "testnet", serverId: "a", version: 9),
                        KeysFileName(network: "mainnet", serverId: "b-2", version: 5)]
        let plan = try DeploymentPlan.plan(network: "testnet", production: try Self.production([1, 2]), newKeys: try Self.newKeys([11, 12, 13]),
                                           publishers: publishers, cachedCoinbases: cache, existing: existing)
        #expect(plan.outputs.map(\.name.fileName) == ["testnet-keys-a-v10.json", "testnet-keys-b-2-v1.json"])
        let a = plan.outputs[0].file
        #expect(a.validators.map(\.attester.eth.text) == [1, 2, 11, 12, 13].map(ButlerFixtures.address), "production first, then new")
        #expect(a.validators.map(\.publisher) == [0xA1, 0xA2, 0xA1, 0xA2, 0xA1].map { .single(Self.publisher($0)) })
        #expect(plan.outputs[1].file.validators.allSatisfy { $0.publisher == .single(Self.publisher(0xB1)) })
        // The production file's coinbase wins over the cache; the cache fills a new one; others stay empty.
        #expect(a.validators.map { $0.coinbase?.text } == [ButlerFixtures.address(0xC001), ButlerFixtures.address(0xC002), ButlerFixtures.address(0xCCCC), nil, nil])
        #expect(plan.coinbasesFromCache == 1)
        #expect(a.schemaVersion == 1 && a.remoteSigner == "https://signer.example.com" && plan.outputs[1].file.remoteSigner == a.remoteSigner)
        #expect(plan.publisherLoads.map(\.attesterCount) == [3, 2, 5])
        // The written JSON is a keys file the rest of the Butler reads back.
        let reread = try KeysFile.decode(a.encoded(), fileName: "x.json")
        #expect(reread == a)
    }

    @Test func anAttesterInBothInputsIsFatal() throws {
        let publishers = try Self.publishers(#"{"a": ["\#(ButlerFixtures.address(0xA1))"]}"#)
        #expect {
            try DeploymentPlan.plan(network: "testnet", production: try Self.production([1, 2]), newKeys: try Self.newKeys([3, 2]), publishers: publishers)
        } throws: { error in
            let problems = (error as? DeploymentError)?.problems ?? []
            return problems == ["new.json: validators[1].attester.eth: attester \(ButlerFixtures.address(2)) is also in prod.json (production); an attester must be listed once"]
        }
    }

    @Test func aZeroCoinbaseIsFatal() throws {
        // Reading refuses it with its JSON path …
        let zero = ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 1, coinbase: 0)])
        #expect(throws: KeysFileError.self) { try KeysFile.decode(Data(zero.utf8), fileName: "prod.json") }
        do {
            _ = try KeysFile.decode(Data(zero.utf8), fileName: "prod.json")
        } catch {
            #expect(error.problems.first?.jsonPath == "validators[0].coinbase")
        }
        // … and so does the plan for files built in code.
        var production = try Self.production([1])
        var validators = production.file.validators
        validators[0].coinbase = KeysFileAddress(.zero)
        production = NamedKeysFile(name: "prod.json", file: KeysFile(remoteSigner: "https://s", validators: validators))
        #expect(throws: DeploymentError(problems: ["prod.json: validators[0].coinbase: attester \(ButlerFixtures.address(1)) has the zero address as coinbase"])) {
            try DeploymentPlan.plan(network: "testnet", production: production, newKeys: try Self.newKeys([]),
                                    publishers: try Self.publishers(#"{"a": ["\#(ButlerFixtures.address(0xA1))"]}"#))
        }
    }

    @Test func productionNeedsValidatorsAndRemoteSigner() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ButlerFixtures.write(#"{"schemaVersion": 1, "validators": []}"#, "no-signer.json", in: folder)
        try ButlerFixtures.write(#"{"remoteSigner": "https://s.example"}"#, "no-validators.json", in: folder)
        #expect(throws: KeysFileError(file: "no-signer.json", problems: [KeysFileProblem(
            file: "no-signer.json", jsonPath: "remoteSigner",
            message: "missing (the production keys file names the remote signer every output file keeps)")])) {
            try NamedKeysFile.production(from: folder.appendingPathComponent("no-signer.json"))
        }
        do {
            _ = try NamedKeysFile.production(from: folder.appendingPathComponent("no-validators.json"))
            Issue.record("a file without validators was accepted")
        } catch {
            #expect(error.description == "no-validators.json: validators: missing (expected an array of validators)")
        }
        // A new public keys file may leave out publisher; a production file may not.
        try ButlerFixtures.write(#"{"validators": [{"attester": {"eth": "\#(ButlerFixtures.address(1))", "bls": "\#(ButlerFixtures.word(1))"}, "feeRecipient": "\#(ButlerFixtures.word(0))"}]}"#, "new.json", in: folder)
        #expect(try NamedKeysFile.newPublicKeys(from: folder.appendingPathComponent("new.json")).file.validators.count == 1)
        #expect(throws: KeysFileError.self) { try KeysFile.read(from: folder.appendingPathComponent("new.json")) }
    }

    @Test func publisherUnderTwoServersAndOtherPublisherFileProblems() throws {
        let shared = ButlerFixtures.address(0xA1)
        do {
            _ = try Self.publishers(#"{"a": ["\#(shared)"], "b": ["\#(shared.uppercased().replacingOccurrences(of: "0X", with: "0x"))", "0x12"], "c": [], "d/e": "x"}"#)
            Issue.record("accepted")
        } catch {
            let lines = ((error as? KeysFileError)?.problems ?? []).map(\.description)
            #expect(lines.contains("publishers.json: [\"b\"][0]: publisher \(shared) is also listed under server a; two nodes sending from one account clash on nonces"))
            #expect(lines.contains("publishers.json: [\"b\"][1]: expected 0x + 40 hex digits, got 0x + 2 hex digits"))
            #expect(lines.contains("publishers.json: [\"c\"]: expected at least one publisher, got an empty array"))
            #expect(lines.contains { $0.hasPrefix("publishers.json: [\"d/e\"]: 'd/e' cannot be a server id") })
            #expect(lines.contains("publishers.json: [\"d/e\"]: expected an array of publisher addresses, got a string"))
        }
        #expect(throws: KeysFileError.self) { try Self.publishers(#"{"a": ["\#(shared)", "\#(shared)"]}"#) }
        #expect(throws: KeysFileError.self) { try Self.publishers(#"["\#(shared)"]"#) }
        #expect(throws: KeysFileError.self) { try Self.publishers("{}") }
    }

    @Test func fundingZeroIsFatalBelowMinimumIsAWarning() throws {
        let publishers = try Self.publishers(#"{"a": ["\#(ButlerFixtures.address(0xA1))", "\#(ButlerFixtures.address(0xA2))", "\#(ButlerFixtures.address(0xA3))"]}"#)
        let plan = try DeploymentPlan.plan(network: "testnet", production: try Self.production([1, 2, 3]), newKeys: try Self.newKeys([4, 5, 6, 7]),
                                           publishers: publishers)
        #expect(plan.publisherLoads.map(\.attesterCount) == [3, 2, 2])
        let ether = UInt256(decimal: "1000000000000000000") ?? .zero
        let minimum = try #require(EtherAmount(ether: "0.1"))
        let balances: [EthereumAddress: UInt256] = [
            plan.publishers[0]: UInt256(decimal: "300000000000000000") ?? .zero,   // 0.3 for 3 attesters: enough
            plan.publishers[1]: UInt256(decimal: "150000000000000000") ?? .zero,   // 0.15 for 2: below 0.2
        ]
        let check = plan.fundingCheck(balances: balances, minimumPerAttester: minimum)
        #expect(check.fatal == ["publisher \(ButlerFixtures.address(0xA3)) (server a, 2 attesters) has 0 ETH: it cannot publish; fund it first"])
        #expect(check.warnings == ["publisher \(ButlerFixtures.address(0xA2)) (server a, 2 attesters) has 0.15 ETH, below 0.1 ETH × 2 = 0.2 ETH (MIN_ETH_PER_ATTESTER)"])
        #expect(check.lines.count == 3)
        let rich = plan.fundingCheck(balances: Dictionary(uniqueKeysWithValues: plan.publishers.map { ($0, ether) }), minimumPerAttester: minimum)
        #expect(rich.fatal.isEmpty && rich.warnings.isEmpty)
        #expect(DeploymentPlan.ether(.zero) == "0" && DeploymentPlan.ether(1) == "0.000000000000000001" && DeploymentPlan.ether(ether) == "1")
    }

    @Test func writesEveryFileOrNone() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let publishers = try Self.publishers(#"{"a": ["\#(ButlerFixtures.address(0xA1))"], "b": ["\#(ButlerFixtures.address(0xB1))"]}"#)
        let plan = try DeploymentPlan.plan(network: "testnet", production: try Self.production([1]), newKeys: try Self.newKeys([2]),
                                           publishers: publishers)
        // A target that exists already: nothing is written.
        try ButlerFixtures.write("{}", "testnet-keys-b-v1.json", in: folder)
        #expect(throws: DeploymentError.self) { try plan.write(to: folder) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("testnet-keys-a-v1.json").path))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("testnet-keys-b-v1.json"))
        let written = try plan.write(to: folder.appendingPathComponent("out"))
        #expect(written.map(\.lastPathComponent) == ["testnet-keys-a-v1.json", "testnet-keys-b-v1.json"])
        let attributes = try FileManager.default.attributesOfItem(atPath: written[0].path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let discovered = try KeysDirectory(folder: folder.appendingPathComponent("out"), network: "testnet").discover()
        #expect(discovered.files.count == 2 && discovered.failures.isEmpty)
    }

    @Test func theCoinbaseCacheIsReadLeniently() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = CachedCoinbases.url(dataDirectory: folder, network: "testnet")
        #expect(url.lastPathComponent == "testnet-cached-coinbases.json")
        #expect(CachedCoinbases.read(from: url) == CachedCoinbases(coinbases: [:]))
        let a1 = ButlerFixtures.address(1), a2 = ButlerFixtures.address(2), a3 = ButlerFixtures.address(3)
        try ButlerFixtures.write(#"""
            {"network": "testnet", "stakingProviderId": "2", "lastScrapedBlock": 10, "version": "1.0", "mappings": [
              {"attesterAddress": "\#(a1)", "coinbaseAddress": "\#(ButlerFixtures.address(0xC1))", "blockNumber": 3},
              {"attesterAddress": "\#(a2)", "coinbaseAddress": "0x0000000000000000000000000000000000000000"},
              {"attesterAddress": "\#(a3)", "coinbaseAddress": "\#(ButlerFixtures.address(0xC3))"},
              {"attesterAddress": "\#(a3)", "coinbaseAddress": "\#(ButlerFixtures.address(0xC4))"},
              {"attesterAddress": 7}]}
            """#, url.lastPathComponent, in: folder)
        let cache = CachedCoinbases.read(from: url)
        #expect(cache.coinbases == [EthereumAddress(hex: a1) ?? .zero: Self.publisher(0xC1)])
        #expect(cache.warnings.count == 2)
        try ButlerFixtures.write("not json", url.lastPathComponent, in: folder)
        #expect(CachedCoinbases.read(from: url).coinbases.isEmpty && CachedCoinbases.read(from: url).warnings.count == 1)
    }
}
