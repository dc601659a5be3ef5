import ButlerKit
import FleetTestSupport
import Foundation
import Testing

/// The coinbase cache under fuzzing: any bytes decode to a cache or a bounded
/// ``CoinbaseCacheError``, never a trap; a decoded cache encodes and decodes again to itself.
/// (The cache holds public addresses only, so no secret is planted.)
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct CoinbaseCacheFuzzTests {
    static func mapping(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        let address = "0x" + String(repeating: "0", count: 40 - hex.count) + hex
        return """
            {
              "attesterAddress": "\(address)",
              "coinbaseAddress": "\(address)",
              "blockNumber": "\(1000 + number)",
              "blockHash": "0x\(String(repeating: "ab", count: 32))",
              "timestamp": 1700000000
            }
        """
    }

    static let samples = Fuzzer.bytes([
        """
        {
          "network": "testnet",
          "stakingProviderId": "1",
          "lastScrapedBlock": "123456",
          "mappings": [
        \((1...4).map(mapping).joined(separator: ",\n"))
          ],
          "scrapedAt": "2026-01-02T03:04:05.000Z",
          "version": "1.0"
        }
        """,
    ])
    static let tokens = Fuzzer.bytes(["{", "}", "[", "]", "\"", ":", ",", "null", "0x", "18446744073709551616", "-1", "\"mappings\":"])

    @Test func mutatedCachesNeverTrapAndRoundTrip() {
        let ran = Fuzzer.run(seed: 2_126_006, samples: Self.samples, tokens: Self.tokens, secrets: []) { input in
            do {
                let cache = try CoinbaseCache.decode(Data(input.bytes), file: "testnet-cached-coinbases.json")
                let again = try CoinbaseCache.decode(cache.encoded(), file: "again.json")
                #expect(again == cache, "\(input.label)")
                return []
            } catch {
                return [String(describing: error)]
            }
        }
        #expect(ran >= 500)
    }
}
