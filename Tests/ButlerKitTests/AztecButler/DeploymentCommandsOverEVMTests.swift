@testable import ButlerKit
import FleetKit
import Foundation
import Testing

/// `aztec-butler attesters` and `prepare-deployment` through the built binary against the
/// local EVM (seeded by evm_server.py) and the stand-in Aztec node.
@Suite(.serialized) struct DeploymentCommandsOverEVMTests {
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
        try await QueueStatsOverEVMTests().run(arguments, environment: environment)
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
        let (nodeURL, stop) = try await QueueStatsOverEVMTests.startNode(rollup: deployment.rollup, chainId: chainId, folder: folder.appendingPathComponent("node"))
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
            #expect(transport.requestCount <= 20, "\(transport.requestCount) requests")
            #expect(transport.requestCount == 6)
        }
    }
}
