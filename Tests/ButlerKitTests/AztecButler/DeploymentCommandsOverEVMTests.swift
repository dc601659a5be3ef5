@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `aztec-butler attesters` and `prepare-deployment` through the built binary against the
/// local EVM (seeded by evm_server.py) and the stand-in Aztec node.
@Suite(.serialized, .tags(.evm), .requires(.evm)) struct DeploymentCommandsOverEVMTests {
    /// The first pre-funded account of eth-tester (the deployer).
    static let funded = EthereumAddress(hex: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf") ?? .zero

    static func validator(_ attester: EthereumAddress, coinbase: EthereumAddress?, publisher: EthereumAddress? = nil) -> String {
        let coinbaseField = coinbase.map { #""coinbase": "\#($0.checksummed)", "# } ?? ""
        let publisherField = publisher.map { #", "publisher": "\#($0.checksummed)""# } ?? ""
        return #"{"attester": {"eth": "\#(attester.checksummed)", "bls": "0x\#(String(repeating: "1", count: 64))"}, \#(coinbaseField)"feeRecipient": "0x\#(String(repeating: "0", count: 64))"\#(publisherField)}"#
    }

    static func keysFile(_ validators: [String]) -> String {
        #"{"schemaVersion": 1, "remoteSigner": "https://signer.example:8080", "validators": [\#(validators.joined(separator: ", "))]}"#
    }

    func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runAztecButler(arguments, environment: environment, timeout: .seconds(600))
    }

    @Test func attestersJSONPlacesProviderQueueEntryQueueAndValidating() async throws {
        let deployment = try await SharedEVM.shared.deployment()
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Seeded: provider 2's queue holds 0xBB…11 … 0xBB…250 (the first ten were dripped);
        // the entry queue holds 0xEE…1005 onwards; 0xA7…2 is VALIDATING, 0xA7…4 EXITING.
        let publisher = testAddress(0xB0, 1)
        try Self.keysFile([
            Self.validator(testAddress(0xBB, 11), coinbase: nil, publisher: publisher),
            Self.validator(testAddress(0xBB, 20), coinbase: testAddress(0x5C, 20), publisher: publisher),
            Self.validator(testAddress(0xEE, 0x1000 + 10), coinbase: testAddress(0x5C, 10), publisher: publisher),
        ]).write(to: folder.appendingPathComponent("testnet-keys-eu-west-1-v2.json"), atomically: true, encoding: .utf8)
        try Self.keysFile([
            Self.validator(testAddress(0xA7, 2), coinbase: testAddress(0x5C, 2), publisher: testAddress(0xB0, 2)),
            Self.validator(testAddress(0xA7, 4), coinbase: testAddress(0x5C, 4), publisher: testAddress(0xB0, 2)),
            Self.validator(testAddress(0xBB, 5), coinbase: nil, publisher: testAddress(0xB0, 2)),
        ]).write(to: folder.appendingPathComponent("testnet-keys-beast-3-v1.json"), atomically: true, encoding: .utf8)
        let chainId = try await EthereumClient(url: deployment.url()).chainID()
        // The node's sentinel follows 0xA7…2: 3 missed attestations, 1 missed proposal, last proposal at slot 77.
        let validating = testAddress(0xA7, 2)
        let statsFile = folder.appendingPathComponent("validators-stats.json")
        try #"{"stats": {"\#(validating.lowercaseHex)": {"address": "\#(validating.lowercaseHex)", "totalSlots": 40, "missedAttestations": {"count": 3, "currentStreak": 1}, "missedProposals": {"count": 1, "currentStreak": 0}, "lastProposal": {"slot": 77}}}}"#
            .write(to: statsFile, atomically: true, encoding: .utf8)
        let (nodeURL, stop) = try await QueueStatsOverEVMTests.startNode(rollup: deployment.rollup, chainId: chainId, folder: folder.appendingPathComponent("node"),
                                                                         extraArguments: ["--validators-stats-file", statsFile.path])
        defer { stop() }
        let environment = ["ETHEREUM_NODE_URL": deployment.url().absoluteString, "AZTEC_NODE_URL": nodeURL.absoluteString,
                           "AZTEC_STAKING_PROVIDER_ID": "2", "XDG_CONFIG_HOME": folder.path]
        let before = Int64(Date().timeIntervalSince1970)
        let arguments = ["--network", "testnet", "--data-dir", folder.path, "attesters", "--multicall3", deployment.multicall3.checksummed,
                         "--staking-registry", deployment.stakingRegistry.checksummed]
        let result = try await run(arguments + ["--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(AttesterPlacementReport.self, from: Data(result.stdout.utf8))
        let rows = Dictionary(uniqueKeysWithValues: report.attesters.map { ($0.address, $0) })
        func row(_ address: EthereumAddress) -> AttesterPlacement? { rows[address.checksummed] }
        #expect(report.providerId == 2 && report.providerQueueLength == 240 && report.entryQueueLength == 295 && report.flushSize == 4)
        #expect(row(testAddress(0xBB, 11))?.place == .providerQueue && row(testAddress(0xBB, 11))?.providerQueuePosition == 0)
        #expect(row(testAddress(0xBB, 20))?.providerQueuePosition == 9 && row(testAddress(0xBB, 20))?.serverId == "eu-west-1")
        #expect(row(testAddress(0xBB, 11))?.coinbase == nil && row(testAddress(0xBB, 20))?.coinbase == testAddress(0x5C, 20).checksummed)
        let queued = try #require(row(testAddress(0xEE, 0x1000 + 10)))
        #expect(queued.place == .entryQueue && queued.status == "NONE" && queued.entryQueuePosition == 5)
        // Position 5 × 288 s per attester.
        let arrival = try #require(queued.arrivalTimestamp)
        #expect(arrival >= before + 1440 && arrival <= before + 1440 + 60)
        #expect(row(testAddress(0xA7, 2))?.place == .validating && row(testAddress(0xA7, 2))?.serverId == "beast-3")
        #expect(row(testAddress(0xA7, 4))?.place == .leaving && row(testAddress(0xA7, 4))?.status == "EXITING")
        #expect(row(testAddress(0xBB, 5))?.place == .notOnChain, "dripped out of the provider queue, never deposited in the mock")
        #expect(report.missingCoinbaseCount == 2)

        let text = try await run(arguments, environment: environment)
        #expect(text.status == 0 && text.stdout.contains("provider #9") && text.stdout.contains("entry #5"))
        #expect(!text.stdout.contains(String(repeating: "1", count: 64)), "BLS keys are never printed")

        // --csv: the original validator_stats.rb columns that still mean something.
        let csv = try await run(arguments + ["--csv"], environment: environment)
        #expect(csv.status == 0, "\(csv.stderr)")
        let records = try CSVReader.parse(csv.stdout, file: "stdout")
        #expect(records.first?.fields == AttesterStatisticsReport.header)
        let byAddress = Dictionary(uniqueKeysWithValues: records.dropFirst().map { ($0.fields[0], $0.fields) })
        #expect(byAddress.count == 6)
        let active = try #require(byAddress[validating.checksummed])
        #expect(active[1] == "VALIDATING" && active[4] == "77" && active[5] == "3" && active[6] == "1" && active[7].isEmpty, "\(active)")
        #expect(active[8] == "VALIDATING" && active[9] == "beast-3")
        #expect(UInt256(decimal: active[2]).map(DeploymentPlan.ether) == active[3])
        let exiting = try #require(byAddress[testAddress(0xA7, 4).checksummed])
        #expect(exiting[1] == "EXITING" && exiting[5].isEmpty && exiting[7].isEmpty, "not followed by the sentinel, and not validating")
        let queuedRow = try #require(byAddress[testAddress(0xEE, 0x1000 + 10).checksummed])
        #expect(queuedRow[1] == "NONE" && queuedRow[2] == "0" && queuedRow[3] == "0" && queuedRow[8] == "ENTRY_QUEUE")
    }

    @Test func fiveThousandAttestersInAFewRequests() async throws {
        try await withEVMServer(["--seed", "bench", "--attesters", "5000"]) { server in
            let deployment = server.deployment
            let transport = CountingHTTPTransport()
            let client = EthereumClient(url: deployment.url(), options: try JSONRPCClientOptions(timeout: .seconds(300)), transport: transport)
            let chainId = try await client.chainID()
            let context = ChainContext(ethereum: client, rollup: deployment.rollup, chainId: chainId, nodeVersion: "test",
                                       strategy: .multicall3(address: deployment.multicall3))
            let validators = (0..<5000).map { Self.validator(testAddress(0xB0, $0), coinbase: nil, publisher: testAddress(0x42, 1)) }
            let file = try KeysFile.decode(Data(Self.keysFile(validators).utf8), fileName: "testnet-keys-a-v1.json")
            let keys = MergedKeys([LoadedKeysFile(name: KeysFileName(network: "testnet", serverId: "a", version: 1),
                                                  url: URL(fileURLWithPath: "/d/testnet-keys-a-v1.json"), contents: file)])
            transport.reset()
            let report = try await AttesterPlacementCollector(context: context, stakingRegistry: deployment.stakingRegistry)
                .collect(network: "testnet", providerId: 1, keys: keys)
            // Seeded statuses cycle NONE, VALIDATING, ZOMBIE, EXITING.
            #expect(report.counts["VALIDATING"] == 1250 && report.counts["LEAVING"] == 2500 && report.counts["NOT_ON_CHAIN"] == 1250)
            // Parameters 1; views 1 (ten aggregates of 500 in one batch); entry queue: block and
            // length 2, entries 0 (empty); provider queue: block and bounds 2, entries 0 (empty).
            #expect(transport.answeredRequestCount <= 20, "\(transport.answeredRequestCount) requests")
            #expect(transport.answeredRequestCount == 6)
        }
    }

    @Test func prepareDeploymentWithFundedAndUnfundedPublishers() async throws {
        let deployment = try await SharedEVM.shared.deployment()
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        let out = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // Existing versions: server a is at v4 in the data folder, server b at v2 in the output folder.
        let old = Self.keysFile([Self.validator(testAddress(0xCA, 1), coinbase: nil, publisher: testAddress(0xB0, 9))])
        try old.write(to: data.appendingPathComponent("testnet-keys-a-v4.json"), atomically: true, encoding: .utf8)
        try old.write(to: out.appendingPathComponent("testnet-keys-b-v2.json"), atomically: true, encoding: .utf8)
        // The coinbase cache knows the first new attester.
        try #"{"network": "testnet", "mappings": [{"attesterAddress": "\#(testAddress(0xCC, 3).checksummed)", "coinbaseAddress": "\#(testAddress(0x5C, 3).checksummed)"}]}"#
            .write(to: data.appendingPathComponent("testnet-cached-coinbases.json"), atomically: true, encoding: .utf8)
        let production = folder.appendingPathComponent("production.json")
        try Self.keysFile([
            Self.validator(testAddress(0xCC, 1), coinbase: testAddress(0x5C, 1), publisher: testAddress(0xB0, 1)),
            Self.validator(testAddress(0xCC, 2), coinbase: testAddress(0x5C, 2), publisher: testAddress(0xB0, 1)),
        ]).write(to: production, atomically: true, encoding: .utf8)
        let newKeys = folder.appendingPathComponent("new.json")
        try #"{"validators": [\#(Self.validator(testAddress(0xCC, 3), coinbase: nil)), \#(Self.validator(testAddress(0xCC, 4), coinbase: nil))]}"#
            .write(to: newKeys, atomically: true, encoding: .utf8)
        let secondFunded = try #require(EthereumAddress(hex: "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"))
        let unfunded = testAddress(0x42, 7)
        let publishers = folder.appendingPathComponent("publishers.json")
        func writePublishers(_ b: [EthereumAddress]) throws {
            let list = b.map { "\"\($0.checksummed)\"" }.joined(separator: ", ")
            try #"{"a": ["\#(Self.funded.checksummed)"], "b": [\#(list)]}"#.write(to: publishers, atomically: true, encoding: .utf8)
        }
        let chainId = try await EthereumClient(url: deployment.url()).chainID()
        let (nodeURL, stopNode) = try await QueueStatsOverEVMTests.startNode(rollup: deployment.rollup, chainId: chainId,
                                                                            folder: folder.appendingPathComponent("deploy-node"))
        defer { stopNode() }
        var environment = ["ETHEREUM_NODE_URL": deployment.url().absoluteString, "AZTEC_NODE_URL": nodeURL.absoluteString,
                           "XDG_CONFIG_HOME": folder.path]
        let arguments = ["--network", "testnet", "--data-dir", data.path, "prepare-deployment", "--production-keys", production.path,
                         "--new-public-keys", newKeys.path, "--available-publishers", publishers.path, "-o", out.path]
        func outputNames() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() }

        // An unfunded publisher is fatal and nothing is written.
        try writePublishers([secondFunded, unfunded])
        let refused = try await run(arguments, environment: environment)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("publisher \(unfunded.lowercaseHex) (server b, 2 attesters) has 0 ETH"))
        #expect(try outputNames() == ["testnet-keys-b-v2.json"])

        // The same publisher under two servers: the file and JSON path are named, exit 2.
        try #"{"a": ["\#(Self.funded.checksummed)"], "b": ["\#(Self.funded.lowercaseHex)"]}"#.write(to: publishers, atomically: true, encoding: .utf8)
        let shared = try await run(arguments, environment: environment)
        #expect(shared.status == 2 && shared.stderr.contains("publishers.json: [\"b\"][0]: publisher \(Self.funded.lowercaseHex) is also listed under server a"))
        #expect(try outputNames() == ["testnet-keys-b-v2.json"])

        // Funded publishers: one file per server; a high MIN_ETH_PER_ATTESTER only warns.
        try writePublishers([secondFunded])
        environment["MIN_ETH_PER_ATTESTER"] = "300000"
        let result = try await run(arguments, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: publisher \(Self.funded.lowercaseHex) (server a, 4 attesters)") && result.stderr.contains("below 300000 ETH × 4"))
        #expect(try outputNames() == ["testnet-keys-a-v5.json", "testnet-keys-b-v2.json", "testnet-keys-b-v3.json"])
        let a = try KeysFile.read(from: out.appendingPathComponent("testnet-keys-a-v5.json"))
        let b = try KeysFile.read(from: out.appendingPathComponent("testnet-keys-b-v3.json"))
        #expect(a.remoteSigner == "https://signer.example:8080" && a.schemaVersion == 1)
        #expect(a.validators.map(\.attester.eth.address) == [1, 2, 3, 4].map { testAddress(0xCC, $0) })
        #expect(a.validators.map { $0.coinbase?.address } == [testAddress(0x5C, 1), testAddress(0x5C, 2), testAddress(0x5C, 3), nil])
        #expect(a.validators.allSatisfy { $0.publisher.addresses.map(\.address) == [Self.funded] })
        #expect(b.validators.allSatisfy { $0.publisher.addresses.map(\.address) == [secondFunded] } && b.validators.count == 4)
        #expect(result.stdout.contains("4 validators (2 in production + 2 new), 1 coinbases from the cache"))
    }
}
