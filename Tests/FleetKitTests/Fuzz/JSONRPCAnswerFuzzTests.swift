import FleetKitTesting
import FleetTestSupport
import Foundation
@testable import FleetKit
import Testing

/// JSON-RPC answers under fuzzing: whatever body a node sends, a call and a batch end in a
/// result or a ``JSONRPCError`` (never a trap), the error is bounded, and the API key in the
/// endpoint's path never shows in it.
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct JSONRPCAnswerFuzzTests {
    static let apiKey = "fzKEY" + String(repeating: "a1b2c3", count: 5)

    /// Answers every POST with the body of the current case.
    struct ScriptedAnswer: HTTPTransport {
        let body: Data
        func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse { HTTPResponse(status: 200, body: self.body) }
        func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse { HTTPResponse(status: 200, body: body) }
    }

    static let samples = Fuzzer.bytes([
        #"{"jsonrpc":"2.0","id":1,"result":"0x1b4"}"#,
        #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"execution reverted","data":"0x08c379a0"}}"#,
        #"[{"jsonrpc":"2.0","id":0,"result":{"number":"0x10","hash":"0xabc","transactions":[]}},{"jsonrpc":"2.0","id":1,"result":null}]"#,
        #"{"jsonrpc":"2.0","id":"1","result":[1,2.5,-3e10,true,false,null,"\u00e9\n"]}"#,
    ])
    static let tokens = Fuzzer.bytes(["{", "}", "[", "]", "\"", ":", ",", "null", "\\u0000", "\\ud800", "1e999", "-0", "\"id\":", "\"error\":"])

    @Test func mutatedAnswersEndInAResultOrABoundedError() async throws {
        let endpoint = try #require(URL(string: "https://eth-mainnet.g.alchemy.com/v2/\(Self.apiKey)"))
        let options = try JSONRPCClientOptions(timeout: .seconds(5), retry: .none)
        var outcomes: [Int: [String]] = [:]
        for number in 0..<Fuzzer.defaultCases {
            let input = Fuzzer.input(seed: 2_126_003, case: number, samples: Self.samples, tokens: Self.tokens)
            let client = JSONRPCClient(endpoint: endpoint, options: options, transport: ScriptedAnswer(body: Data(input.bytes)))
            var texts: [String] = []
            do {
                _ = try await client.call("eth_blockNumber")
            } catch {
                texts.append(String(describing: error))
            }
            do {
                for result in try await client.batch([JSONRPCCall("eth_getBlockByNumber", ["latest", false]), JSONRPCCall("eth_chainId")]) {
                    if case .failure(let error) = result { texts.append(String(describing: error)) }
                }
            } catch {
                texts.append(String(describing: error))
            }
            _ = JSONValue(parsing: Data(input.bytes))
            outcomes[number] = texts
        }
        // The checks run on the collected texts, case by case, with the same labels.
        let ran = Fuzzer.run(seed: 2_126_003, samples: Self.samples, tokens: Self.tokens, secrets: [Self.apiKey]) { input in
            outcomes[input.number] ?? []
        }
        #expect(ran >= 500)
    }
}
