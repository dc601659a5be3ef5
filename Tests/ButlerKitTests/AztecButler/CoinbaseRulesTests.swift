@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Merge rules of the coinbase cache, its file format, and fill-coinbases' rules, without a chain.
@Suite(.tags(.unit)) struct CoinbaseRulesTests {
    static let fixture = EVMPaths.repositoryRoot.appendingPathComponent("Tests/ButlerKitTests/Fixtures/butler/coinbases/testnet-cached-coinbases.json")

    static func address(_ prefix: UInt8, _ index: Int) -> KeysFileAddress { KeysFileAddress(checksummed: testAddress(prefix, index)) }

    static func mapping(_ attester: Int, coinbase: Int?, block: UInt64) -> CoinbaseMapping {
        CoinbaseMapping(attesterAddress: address(0xCC, attester),
                        coinbaseAddress: coinbase.map { address(0x5C, $0) } ?? KeysFileAddress(EthereumAddress.zero),
                        blockNumber: block, blockHash: "0x" + String(repeating: "0", count: 63) + String(block % 10), timestamp: Int64(block) * 12)
    }

    // MARK: Merge rules

    @Test func aNewAttesterIsAddedInScrapeOrderAfterTheCachedOnes() throws {
        let result = try CoinbaseMerge.merge(cached: [Self.mapping(1, coinbase: 1, block: 10)],
                                             scraped: [Self.mapping(3, coinbase: 3, block: 20), Self.mapping(2, coinbase: 2, block: 21)])
        #expect(result.mappings.map(\.attesterAddress) == [1, 3, 2].map { Self.address(0xCC, $0) })
        #expect(result.added == [3, 2].map { Self.address(0xCC, $0) } && result.updated.isEmpty)
    }

    @Test func theSameCoinbaseKeepsTheNewerBlock() throws {
        let newer = try CoinbaseMerge.merge(cached: [Self.mapping(1, coinbase: 1, block: 10)], scraped: [Self.mapping(1, coinbase: 1, block: 30)])
        #expect(newer.mappings == [Self.mapping(1, coinbase: 1, block: 30)] && newer.updated == [Self.address(0xCC, 1)])
        let older = try CoinbaseMerge.merge(cached: [Self.mapping(1, coinbase: 1, block: 30)], scraped: [Self.mapping(1, coinbase: 1, block: 10)])
        #expect(older.mappings == [Self.mapping(1, coinbase: 1, block: 30)] && older.updated.isEmpty)
    }

    @Test func aCachedZeroAddressIsOverwritten() throws {
        let result = try CoinbaseMerge.merge(cached: [Self.mapping(1, coinbase: nil, block: 50)], scraped: [Self.mapping(1, coinbase: 7, block: 40)])
        #expect(result.mappings == [Self.mapping(1, coinbase: 7, block: 40)] && result.updated.count == 1)
    }

    @Test func aNewlyScrapedZeroAddressIsIgnored() throws {
        let cached = [Self.mapping(1, coinbase: 1, block: 10)]
        let result = try CoinbaseMerge.merge(cached: cached, scraped: [Self.mapping(1, coinbase: nil, block: 20), Self.mapping(2, coinbase: nil, block: 21)])
        #expect(result.mappings == cached)
        #expect(result.ignoredZero.count == 2 && result.added.isEmpty && result.updated.isEmpty)
    }

    @Test func twoDifferentNonZeroCoinbasesAreAConflictNamingBoth() {
        let cached = Self.mapping(1, coinbase: 1, block: 10)
        let scraped = Self.mapping(1, coinbase: 2, block: 20)
        #expect(throws: CoinbaseConflict(existing: cached, scraped: scraped)) {
            try CoinbaseMerge.merge(cached: [cached], scraped: [scraped])
        }
        let text = CoinbaseConflict(existing: cached, scraped: scraped).description
        for part in [cached.attesterAddress.text, cached.coinbaseAddress.text, scraped.coinbaseAddress.text, "block 10", "block 20"] {
            #expect(text.contains(part))
        }
        // Within one scrape, too.
        #expect(throws: CoinbaseConflict.self) {
            try CoinbaseMerge.merge(cached: [], scraped: [Self.mapping(4, coinbase: 1, block: 5), Self.mapping(4, coinbase: 2, block: 6)])
        }
    }

    @Test func addressesCompareWhateverTheirLetterCase() throws {
        let lower = CoinbaseMapping(attesterAddress: try #require(KeysFileAddress("0xcc00000000000000000000000000000000000001")),
                                    coinbaseAddress: try #require(KeysFileAddress("0x5c00000000000000000000000000000000000001")),
                                    blockNumber: 5, blockHash: "0x01", timestamp: 1)
        let result = try CoinbaseMerge.merge(cached: [lower], scraped: [Self.mapping(1, coinbase: 1, block: 9)])
        #expect(result.mappings.count == 1 && result.mappings[0].blockNumber == 9)
    }

    // MARK: Cache file

    @Test func theOriginalsCacheReadsAndWritesBackByteForByte() throws {
        let data = try Data(contentsOf: Self.fixture)
        let cache = try #require(try CoinbaseCache.read(from: Self.fixture))
        #expect(cache.network == "testnet" && cache.stakingProviderId == "2" && cache.lastScrapedBlock == 9_612_345)
        #expect(cache.mappings.count == 2 && cache.mappings[0].blockNumber == 9_600_001 && cache.mappings[0].timestamp == 1_763_400_000)
        #expect(cache.mappings[1].coinbaseAddress.address.isZero)
        #expect(cache.scrapedAt == "2025-11-20T10:00:00.123Z" && cache.version == "1.0")
        #expect(cache.encoded() == data)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coinbase-cache-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("nested/testnet-cached-coinbases.json")
        try cache.write(to: copy)
        #expect(try Data(contentsOf: copy) == data)
        #expect(try CoinbaseCache.read(from: folder.appendingPathComponent("absent.json")) == nil)
    }

    @Test func numbersAreAlsoReadAsNumbersAndBadFieldsAreNamed() throws {
        let numeric = #"{"network":"mainnet","stakingProviderId":7,"lastScrapedBlock":23800000,"mappings":[],"scrapedAt":"x","version":"1.0"}"#
        let cache = try CoinbaseCache.decode(Data(numeric.utf8), file: "c.json")
        #expect(cache.stakingProviderId == "7" && cache.lastScrapedBlock == 23_800_000)
        let bad = #"{"network":"mainnet","stakingProviderId":"7","lastScrapedBlock":"1","mappings":[{"attesterAddress":"0x12","coinbaseAddress":"0x5C00000000000000000000000000000000000001","blockNumber":"1","blockHash":"0x","timestamp":1}],"scrapedAt":"x","version":"1.0"}"#
        #expect(throws: CoinbaseCacheError(file: "c.json", message: "$.mappings[0].attesterAddress: expected an address (0x + 40 hex digits)")) {
            try CoinbaseCache.decode(Data(bad.utf8), file: "c.json")
        }
        #expect(CoinbaseCache.timestampText(Date(timeIntervalSince1970: 1_763_400_000.5)) == "2025-11-17T17:20:00.500Z")
    }

    // MARK: Fill rules

    static func keysFile(_ coinbases: [Int: String?]) throws -> KeysFile {
        let validators = try (1...coinbases.count).map { index -> KeysFileValidator in
            let coinbase = try coinbases[index].flatMap { $0 }.map { try #require(KeysFileAddress($0)) }
            return KeysFileValidator(attester: KeysFileAttester(eth: address(0xCC, index), bls: try #require(KeysFileBytes32("0x" + String(repeating: "1", count: 64)))),
                                     coinbase: coinbase, feeRecipient: try #require(KeysFileBytes32("0x" + String(repeating: "0", count: 64))),
                                     publisher: .single(address(0xB0, 1)))
        }
        return KeysFile(remoteSigner: "https://signer.example:8080", validators: validators)
    }

    @Test func onlyEmptyCoinbasesAreFilledAndDisagreementsKeepTheFile() throws {
        let cache = CoinbaseCache(network: "testnet", stakingProviderId: "2", lastScrapedBlock: 100, mappings: [
            Self.mapping(1, coinbase: 1, block: 10), Self.mapping(2, coinbase: 2, block: 11), Self.mapping(3, coinbase: nil, block: 12),
        ], scrapedAt: "t")
        let other = testAddress(0x77, 1).lowercaseHex
        // 1: empty → filled; 2: a different coinbase → kept, warned; 3: zero in the cache → skipped; 4: not in the cache.
        let file = try Self.keysFile([1: nil, 2: other, 3: nil, 4: nil])
        let result = CoinbaseFill.fill(file, from: cache)
        #expect(result.changed && result.filled == [CoinbaseFilled(attester: Self.address(0xCC, 1), coinbase: Self.address(0x5C, 1))])
        #expect(result.file.validators.map { $0.coinbase?.text } == [Self.address(0x5C, 1).text, other, nil, nil])
        #expect(result.disagreements.map(\.attester) == [Self.address(0xCC, 2)] && result.disagreements[0].description.contains("keeping the file's"))
        #expect(result.zeroInCache == [Self.address(0xCC, 3)] && result.unmapped == [Self.address(0xCC, 4)])

        // Filled again: nothing left to change.
        let again = CoinbaseFill.fill(result.file, from: cache)
        #expect(!again.changed && again.file == result.file)
        // The same coinbase in another letter case is no disagreement.
        let same = try Self.keysFile([1: Self.address(0x5C, 1).lowercased])
        #expect(CoinbaseFill.fill(same, from: cache).disagreements.isEmpty)
    }

    @Test func theNextVersionOfAServerWithDashesInItsId() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("coinbase-fill-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["testnet-keys-eu-west-1-v2.json", "testnet-keys-eu-west-1-v9.json", "testnet-keys-eu-west-10-v20.json"] {
            try Data("{}".utf8).write(to: folder.appendingPathComponent(name))
        }
        let source = folder.appendingPathComponent("testnet-keys-eu-west-1-v2.json")
        #expect(try CoinbaseFill.target(for: source, network: "testnet", incrementVersion: false) == source)
        #expect(try CoinbaseFill.target(for: source, network: "testnet", incrementVersion: true).lastPathComponent == "testnet-keys-eu-west-1-v10.json")
        #expect(throws: CoinbaseFillError.self) {
            try CoinbaseFill.target(for: folder.appendingPathComponent("keys.json"), network: "testnet", incrementVersion: true)
        }
    }

    @Test func startBlocksAndRegistries() {
        #expect(CoinbaseNetworks.startBlock(network: "mainnet") == 23_786_836 && CoinbaseNetworks.startBlock(network: "testnet") == 9_595_580)
        #expect(CoinbaseNetworks.startBlock(network: "devnet") == 0)
        #expect(CoinbaseNetworks.stakingRegistry(chainId: 1)?.checksummed == "0x042dF8f42790d6943F41C25C2132400fd727f452")
        #expect(CoinbaseNetworks.stakingRegistry(chainId: 11_155_111)?.checksummed == "0xc3860c45e5F0b1eF3000dbF93149756f16928ADB")
        #expect(CoinbaseNetworks.stakingRegistry(chainId: 31_337) == nil)
    }
}
