import ButlerKit
import FleetTestSupport
import Foundation
import Testing

/// `.env` files under fuzzing: the parser never traps, and no value planted in the file (a
/// private key, a bearer token, an RPC URL's API key) reaches an error message.
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct DotEnvFuzzTests {
    static let key = "0x" + String(repeating: "d07e4f", count: 10) + "c0de"
    static let token = "tok" + String(repeating: "Zq9", count: 8)
    static let apiKey = "api" + String(repeating: "K3y", count: 8)
    static let samples = Fuzzer.bytes([
        """
        # Butler configuration
        NETWORK=testnet
        ETHEREUM_NODE_URL=https://eth-sepolia.g.alchemy.com/v2/\(apiKey)
        export PUBLISHER_PRIVATE_KEY=\(key)
        METRICS_BEARER_TOKEN="\(token)"
        METRICS_PORT = 9464   # the port
        MULTI="first
        second"

        """,
        "A='\(key)'\nB=`\(token)`\nC=\"esc\\\"aped \(token)\\n\"\n",
    ])
    static let tokens = Fuzzer.bytes(["=", "\"", "'", "`", "#", "\\", "export ", "\n", "\r\n", " ", "\t", "$", "${A}"])

    @Test func mutatedFilesNeverTrapOrShowAValue() {
        let ran = Fuzzer.run(seed: 2_126_004, samples: Self.samples, tokens: Self.tokens,
                             secrets: [String(Self.key.dropFirst(2)), Self.token, Self.apiKey]) { input in
            do {
                _ = try DotEnvFile.parse(input.text, file: ".env")
                return []
            } catch {
                return [String(describing: error)]
            }
        }
        #expect(ran >= 500)
    }
}
