@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `aztec-butler scrape-coinbases` and `fill-coinbases` against the local EVM, whose
/// StakingRegistry holds 80 StakedWithProvider events of provider 2 (60 in consecutive
/// blocks, then 20 ten blocks apart) and 5 of provider 1 in between, behind a node that
/// refuses log ranges over 100 blocks and results over 25 logs.
@Suite(.serialized, .tags(.evm), .requires(.evm)) struct CoinbasesOverEVMTests {
    /// Keys of attesters 0xCC…0 ..< 0xCC…75 (the first 75 staked through provider 2), one never
    /// staked, and provider 1's attester 0xC1…60; validators 1 and 2 have no coinbase, 3 has
    /// another one. Written the way the original writes keys files.
    static func keysText(coinbases: [Int: String] = [:]) -> String {
        let bls = "0x" + String(repeating: "1", count: 64)
        let fee = "0x" + String(repeating: "0", count: 64)
        let attesters = (0..<75).map { testAddress(0xCC, $0) } + [testAddress(0xCC, 999), testAddress(0xC1, 60)]
        let validators = attesters.enumerated().map { index, attester -> String in
            var coinbase = index == 3 ? testAddress(0x77, 3).checksummed : (index == 1 || index == 2 ? nil : testAddress(0x5C, index).checksummed)
            if index >= 75 { coinbase = nil }
            if let filled = coinbases[index] { coinbase = filled }
            let coinbaseLine = coinbase.map { "      \"coinbase\": \"\($0)\",\n" } ?? ""
            return """
                    {
                      "attester": {
                        "eth": "\(attester.checksummed)",
                        "bls": "\(bls)"
                      },
                \(coinbaseLine)      "feeRecipient": "\(fee)",
                      "publisher": "\(testAddress(0xB0, 1).checksummed)"
                    }
                """
        }
        return "{\n  \"schemaVersion\": 1,\n  \"remoteSigner\": \"https://signer.example:8080\",\n  \"validators\": [\n"
            + validators.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runAztecButler(arguments, environment: environment, timeout: .seconds(600))
    }

    struct Setup {
        let deployment: EVMDeployment
        let folder: URL
        let environment: [String: String]
        let stop: @Sendable () -> Void
        var cacheURL: URL { folder.appendingPathComponent("testnet-cached-coinbases.json") }

        func arguments(_ command: [String]) -> [String] {
            ["--network", "testnet", "--data-dir", folder.path] + command + ["--staking-registry", deployment.stakingRegistry.checksummed]
        }
    }

    func setUp(_ name: String) async throws -> Setup {
        let deployment = try await SharedEVM.shared.deployment()
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("butler-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.keysText().write(to: folder.appendingPathComponent("testnet-keys-eu-west-1-v1.json"), atomically: true, encoding: .utf8)
        let chainId = try await EthereumClient(url: deployment.url()).chainID()
        let (nodeURL, stop) = try await QueueStatsOverEVMTests.startNode(rollup: deployment.rollup, chainId: chainId, folder: folder.appendingPathComponent("node"))
        let environment = ["ETHEREUM_NODE_URL": deployment.url().absoluteString, "ETHEREUM_ARCHIVE_NODE_URL": deployment.url().absoluteString,
                           "AZTEC_NODE_URL": nodeURL.absoluteString, "AZTEC_STAKING_PROVIDER_ID": "2", "XDG_CONFIG_HOME": folder.path]
        return Setup(deployment: deployment, folder: folder, environment: environment, stop: stop)
    }

    func report(_ text: String) throws -> CoinbaseScrapeReport {
        try JSONDecoder().decode(CoinbaseScrapeReport.self, from: Data(text.utf8))
    }

    @Test func aFullScrapeThenIncrementalRunsThenFill() async throws {
        let setup = try await setUp("scrape")
        defer { setup.stop(); try? FileManager.default.removeItem(at: setup.folder) }
        let client = EthereumClient(url: setup.deployment.url())
        let head = try await client.blockNumber()

        // 1. The whole chain, 50 blocks per request (the node's limits force smaller ones at first).
        let first = try await run(setup.arguments(["scrape-coinbases", "--from-block", "0", "--chunk-size", "50", "--json"]), environment: setup.environment)
        #expect(first.status == 0, "\(first.stderr)")
        let full = try report(first.stdout)
        #expect(full.fromBlock == 0 && full.toBlock == head && full.lastScrapedBlock == head && full.written)
        #expect(full.eventsFound == 80 && full.eventsOfOtherAttesters == 5 && full.added == 75 && full.totalMappings == 75)
        #expect(full.attestersWithoutMapping == [testAddress(0xC1, 60).lowercaseHex, testAddress(0xCC, 999).lowercaseHex].sorted())
        #expect((full.archiveRequests ?? 0) > Int(head / 50))
        let cache = try #require(try CoinbaseCache.read(from: setup.cacheURL))
        #expect(cache.network == "testnet" && cache.stakingProviderId == "2" && cache.lastScrapedBlock == head && cache.version == "1.0")
        #expect(cache.mappings.map(\.attesterAddress.text) == (0..<75).map { testAddress(0xCC, $0).checksummed })
        #expect(cache.mappings.map(\.coinbaseAddress.text) == (0..<75).map { testAddress(0x5C, $0).checksummed })
        #expect(zip(cache.mappings, cache.mappings.dropFirst()).allSatisfy { $0.blockNumber < $1.blockNumber })
        let last = try #require(cache.mappings.last)
        let block = try #require(try await client.block(.number(last.blockNumber)))
        #expect(last.blockHash == block.hash && last.timestamp == Int64(block.timestamp))
        let written = try Data(contentsOf: setup.cacheURL)
        #expect(written.last != UInt8(ascii: "\n") && cache.encoded() == written)

        // 2. Again: nothing new since the last scraped block, so no logs are read and nothing is written.
        let second = try await run(setup.arguments(["scrape-coinbases", "--chunk-size", "50", "--json"]), environment: setup.environment)
        #expect(second.status == 0, "\(second.stderr)")
        let upToDate = try report(second.stdout)
        #expect(upToDate.fromBlock == head + 1 && !upToDate.written && upToDate.eventsFound == 0 && upToDate.totalMappings == 75)
        #expect(upToDate.archiveRequests == 2, "eth_chainId and eth_blockNumber only")
        #expect(try Data(contentsOf: setup.cacheURL) == written)

        // 3. A cache that stopped after the 60th event: the next run reads only the blocks after it.
        let stop = cache.mappings[59].blockNumber
        var partial = cache
        partial.mappings = Array(cache.mappings.prefix(60))
        partial.lastScrapedBlock = stop
        try partial.write(to: setup.cacheURL)
        let third = try await run(setup.arguments(["scrape-coinbases", "--chunk-size", "50", "--json"]), environment: setup.environment)
        #expect(third.status == 0, "\(third.stderr)")
        let incremental = try report(third.stdout)
        #expect(incremental.fromBlock == stop + 1 && incremental.toBlock == head)
        #expect(incremental.eventsFound == 20 && incremental.added == 15 && incremental.totalMappings == 75)
        #expect((incremental.archiveRequests ?? 0) < (full.archiveRequests ?? 0))
        #expect((incremental.archiveRequests ?? 0) <= 3 + Int((head - stop) / 50) + 1)
        let after = try #require(try CoinbaseCache.read(from: setup.cacheURL))
        #expect(after.mappings == cache.mappings && after.lastScrapedBlock == head)

        // Text output names the range.
        let text = try await run(setup.arguments(["scrape-coinbases", "--full"]), environment: setup.environment)
        #expect(text.status == 0 && text.stdout.contains("Up to date"), "testnet's start block 9595580 is past the local chain: \(text.stdout)")

        // 4. fill-coinbases: validators 1 and 2 get their coinbase, 3 keeps its own (warned),
        //    the rest of the file stays byte for byte; --increment-version writes v2.
        let v1 = setup.folder.appendingPathComponent("testnet-keys-eu-west-1-v1.json")
        let original = try Data(contentsOf: v1)
        let fill = try await run(["--network", "testnet", "--data-dir", setup.folder.path, "fill-coinbases", "--keys-file", v1.lastPathComponent, "--increment-version"],
                                 environment: setup.environment)
        #expect(fill.status == 0, "\(fill.stderr)")
        #expect(fill.stderr.contains("attester \(testAddress(0xCC, 3).checksummed): the keys file has coinbase \(testAddress(0x77, 3).checksummed) but the cache has \(testAddress(0x5C, 3).checksummed)"))
        #expect(try Data(contentsOf: v1) == original)
        let v2 = setup.folder.appendingPathComponent("testnet-keys-eu-west-1-v2.json")
        let expected = Self.keysText(coinbases: [1: testAddress(0x5C, 1).checksummed, 2: testAddress(0x5C, 2).checksummed])
        #expect(try String(contentsOf: v2, encoding: .utf8) == expected)
        // Nothing left to fill: nothing written, not even with --increment-version; --json says so.
        let again = try await run(["--network", "testnet", "--data-dir", setup.folder.path, "fill-coinbases", "--keys-file", v2.path, "--increment-version", "--json"],
                                  environment: setup.environment)
        #expect(again.status == 0, "\(again.stderr)")
        let report = try #require(JSONValue(parsing: Data(again.stdout.utf8)), "not JSON: \(again.stdout)")
        #expect(report["keysFile"] == .string(v2.path))
        #expect(report["written"] == .null)
        #expect(report["filled"] == .array([]) && report["zeroInCache"] == .array([]))
        #expect(report["disagreements"] == .array([.object([
            "attester": .string(testAddress(0xCC, 3).checksummed), "inFile": .string(testAddress(0x77, 3).checksummed),
            "inCache": .string(testAddress(0x5C, 3).checksummed), "cacheBlock": try #require(report.value(at: ["disagreements"])?.arrayValue?.first?["cacheBlock"]),
        ])]))
        #expect(report["unmapped"] == .array([.string(testAddress(0xCC, 999).checksummed), .string(testAddress(0xC1, 60).checksummed)]))
        #expect(again.stderr.contains("keeping the file's"), "the warning stays on standard error")
        #expect(!FileManager.default.fileExists(atPath: setup.folder.appendingPathComponent("testnet-keys-eu-west-1-v3.json").path))
        // Without --increment-version the file itself is rewritten.
        let inPlace = try await run(["--network", "testnet", "--data-dir", setup.folder.path, "fill-coinbases", "--keys-file", v1.path, "--json"],
                                    environment: setup.environment)
        #expect(inPlace.status == 0, "\(inPlace.stderr)")
        #expect(try String(contentsOf: v1, encoding: .utf8) == expected)
        let inPlaceReport = try #require(JSONValue(parsing: Data(inPlace.stdout.utf8)), "not JSON: \(inPlace.stdout)")
        #expect(inPlaceReport["written"] == .string(v1.path))
        #expect(inPlaceReport["filled"] == .array([1, 2].map { index -> JSONValue in
            .object(["attester": .string(testAddress(0xCC, index).checksummed), "coinbase": .string(testAddress(0x5C, index).checksummed)])
        }))
    }

    @Test func aConflictLeavesTheCacheByteForByte() async throws {
        let setup = try await setUp("conflict")
        defer { setup.stop(); try? FileManager.default.removeItem(at: setup.folder) }
        let output = setup.folder.appendingPathComponent("elsewhere/cache.json")
        let other = KeysFileAddress(checksummed: testAddress(0x77, 3))
        let cache = CoinbaseCache(network: "testnet", stakingProviderId: "2", lastScrapedBlock: 0, mappings: [
            CoinbaseMapping(attesterAddress: KeysFileAddress(checksummed: testAddress(0xCC, 3)), coinbaseAddress: other,
                            blockNumber: 1, blockHash: "0x" + String(repeating: "e", count: 64), timestamp: 1_700_000_000),
        ], scrapedAt: "2025-11-20T10:00:00.000Z")
        try cache.write(to: output)
        let before = try Data(contentsOf: output)
        let result = try await run(setup.arguments(["scrape-coinbases", "--output", output.path, "--chunk-size", "100"]), environment: setup.environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("coinbase conflict for attester \(testAddress(0xCC, 3).checksummed): cached \(other.text) (block 1) but block"))
        #expect(result.stderr.contains("gives \(testAddress(0x5C, 3).checksummed)") && result.stderr.contains("left unchanged"))
        #expect(try Data(contentsOf: output) == before)
        #expect(!FileManager.default.fileExists(atPath: setup.cacheURL.path))

        // A cache of another provider is refused before anything is read.
        let refused = try await run(setup.arguments(["scrape-coinbases", "--output", output.path]),
                                    environment: setup.environment.merging(["AZTEC_STAKING_PROVIDER_ID": "1"]) { $1 })
        #expect(refused.status == 2 && refused.stderr.contains("is for staking provider 2, not 1"))
        #expect(try Data(contentsOf: output) == before)
    }

    @Test func usageErrors() async throws {
        let help = try await run(["scrape-coinbases", "--help"], environment: [:])
        #expect(help.status == 0 && help.stdout.contains("--from-block") && help.stdout.contains("--chunk-size"))
        let fillHelp = try await run(["fill-coinbases", "--help"], environment: [:])
        #expect(fillHelp.status == 0 && fillHelp.stdout.contains("--increment-version"))
        let both = try await run(["--network", "testnet", "scrape-coinbases", "--full", "--from-block", "3"], environment: ["AZTEC_STAKING_PROVIDER_ID": "2"])
        #expect(both.status == 2 && both.stderr.contains("--full and --from-block exclude each other"))
        let noFile = try await run(["--network", "testnet", "fill-coinbases"], environment: [:])
        #expect(noFile.status == 2 && noFile.stderr.contains("--keys-file FILE is required"))
        let noCache = try await run(["--network", "testnet", "--data-dir", "/nonexistent-dir", "fill-coinbases", "--keys-file", "/nonexistent-dir/testnet-keys-a-v1.json"], environment: [:])
        #expect(noCache.status == 2)
    }
}
