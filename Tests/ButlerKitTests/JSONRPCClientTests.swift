import FleetTestSupport
import Foundation
import Testing
import FleetKit
import FleetKitTesting

@Suite(.tags(.unit)) struct JSONRPCClientTests {
    let endpoint = URL(string: "http://127.0.0.1:9/") ?? URL(fileURLWithPath: "/")
    let fast = try! JSONRPCClientOptions(
        timeout: .milliseconds(300), retry: JSONRPCRetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5)))

    @Test func singleCallReturnsTheResult() async throws {
        let transport = ScriptedTransport([.respond(200, #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        #expect(try await client.call("eth_chainId") == .string("0x1"))
        let sent = try #require(transport.sentBodies.first)
        #expect(sent["method"] == .string("eth_chainId"))
        #expect(sent["jsonrpc"] == .string("2.0"))
    }

    @Test func nodeErrorsNameTheMethodAndTheMessage() async throws {
        let transport = ScriptedTransport([.respond(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method foo does not exist"}}"#)])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        let error = try await #require(throws: JSONRPCError.self) { try await client.call("foo_bar") }
        #expect(error.method == "foo_bar")
        #expect(error.serverCode == -32601)
        #expect(error.description.contains("foo_bar"))
        #expect(error.description.contains("the method foo does not exist"))
        #expect(transport.requestCount == 1)
    }

    @Test func tooManyRequestsIsRetriedThenSucceeds() async throws {
        let transport = ScriptedTransport([
            .respond(429, "slow down"), .respond(200, #"{"jsonrpc":"2.0","id":1,"result":true}"#),
        ])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        #expect(try await client.call("node_isReady") == .bool(true))
        #expect(transport.requestCount == 2)
    }

    @Test func serverErrorsAreRetriedUpToTheLimit() async throws {
        let transport = ScriptedTransport([.respond(503, "<html>unavailable</html>")])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        let error = try await #require(throws: JSONRPCError.self) { try await client.call("eth_blockNumber") }
        #expect(error.kind == .httpStatus(503, body: "<html>unavailable</html>"))
        #expect(error.attempts == 3)
        #expect(transport.requestCount == 3)
        #expect(error.description.contains("after 3 attempts"))
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([.respond(404, "not found")])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        let error = try await #require(throws: JSONRPCError.self) { try await client.call("eth_blockNumber") }
        #expect(error.kind == .httpStatus(404, body: "not found"))
        #expect(transport.requestCount == 1)
    }

    @Test func connectionFailuresAreRetried() async throws {
        let transport = ScriptedTransport([.fail(.networkConnectionLost), .respond(200, #"{"jsonrpc":"2.0","id":1,"result":"0x5"}"#)])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        #expect(try await client.call("eth_blockNumber") == .string("0x5"))
        #expect(transport.requestCount == 2)
    }

    @Test func errorsNeverShowTheAPIKeyOfTheEndpoint() async throws {
        let transport = ScriptedTransport([.respond(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}"#)])
        let keyed = try #require(URL(string: "https://user:pa55@eth.example:8545/v2/SECRETKEY123?apikey=SECRETKEY456"))
        let client = JSONRPCClient(endpoint: keyed, options: fast, transport: transport)
        let error = try await #require(throws: JSONRPCError.self) { try await client.call("eth_blockNumber") }
        #expect(error.endpoint == "https://***@eth.example:8545/***")
        for secret in ["SECRETKEY123", "SECRETKEY456", "pa55", "user:"] { #expect(!error.description.contains(secret)) }
        let unreachable = JSONRPCClient(endpoint: keyed, options: fast, transport: ScriptedTransport([.fail(.cannotConnectToHost)]))
        let failure = try await #require(throws: JSONRPCError.self) { try await unreachable.call("eth_blockNumber") }
        #expect(!failure.description.contains("SECRETKEY123"), "\(failure)")
    }

    @Test func theCountingTransportTellsSentFromAnsweredRequests() async throws {
        let scripted = ScriptedTransport([
            .fail(.networkConnectionLost), .respond(503, "busy"), .respond(200, #"{"jsonrpc":"2.0","id":1,"result":"0x5"}"#),
        ])
        let counting = CountingHTTPTransport(wrapping: scripted)
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: counting)
        #expect(try await client.call("eth_blockNumber") == .string("0x5"))
        #expect(counting.requestCount == 3)
        #expect(counting.answeredRequestCount == 2)  // the 503 was an answer; the lost connection was not
        counting.reset()
        #expect(counting.requestCount == 0 && counting.answeredRequestCount == 0)
    }

    @Test func stalledRequestsTimeOut() async throws {
        let transport = ScriptedTransport([.stall])
        let options = try JSONRPCClientOptions(timeout: .milliseconds(200), retry: JSONRPCRetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(1)))
        let client = JSONRPCClient(endpoint: endpoint, options: options, transport: transport)
        let started = ContinuousClock.now
        let error = try await #require(throws: JSONRPCError.self) { try await client.call("eth_call") }
        #expect(error.kind == .timedOut(seconds: 0.2))
        #expect(error.attempts == 2)
        #expect(ContinuousClock.now - started < .seconds(120), "the stall lasts an hour; the client gave up long before")
    }

    @Test func malformedAnswersAreReported() async throws {
        let transport = ScriptedTransport([.respond(200, "<html>proxy error</html>")])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        let error = try await #require(throws: JSONRPCError.self) { try await client.call("eth_chainId") }
        guard case .malformedResponse(let reason) = error.kind else {
            Issue.record("expected a malformed-response error, got \(error)")
            return
        }
        #expect(reason.contains("proxy error"))
    }

    @Test func batchesMatchAnswersByIDAndKeepPerCallErrors() async throws {
        // The node answers out of order and rejects one call.
        let transport = ScriptedTransport([.respondWith { request in
            let calls = request.arrayValue ?? []
            let answers = calls.reversed().map { call -> String in
                let id = call["id"]?.integerValue ?? -1
                if call["params"]?.arrayValue?.first == .string("bad") {
                    return #"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32602,"message":"invalid argument"}}"#
                }
                return #"{"jsonrpc":"2.0","id":\#(id),"result":\#(call["params"]?.description ?? "null")}"#
            }
            return "[" + answers.joined(separator: ",") + "]"
        }])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        let results = try await client.batch([
            JSONRPCCall("echo", [.string("a")]), JSONRPCCall("echo", [.string("bad")]), JSONRPCCall("echo", [.string("c")]),
        ])
        #expect(results.count == 3)
        #expect(try results[0].get() == .array([.string("a")]))
        #expect(try results[2].get() == .array([.string("c")]))
        guard case .failure(let error) = results[1] else {
            Issue.record("the second call should have failed")
            return
        }
        #expect(error.serverMessage == "invalid argument")
        #expect(transport.requestCount == 1)
    }

    @Test func batchesAreSplitAndRunWithinTheConcurrencyLimit() async throws {
        let transport = ScriptedTransport([.respondWith { request in
            answerEach(request) { _, params in #""result":\#(params.first?.description ?? "null")"# }
        }])
        let options = try JSONRPCClientOptions(timeout: .seconds(5), maxConcurrentRequests: 2, maxBatchSize: 10)
        let client = JSONRPCClient(endpoint: endpoint, options: options, transport: transport)
        let calls = (0..<95).map { JSONRPCCall("echo", [.integer(Int64($0))]) }
        let results = try await client.batch(calls)
        #expect(try results.map { try $0.get() } == (0..<95).map { JSONValue.integer(Int64($0)) })
        #expect(transport.requestCount == 10)
        #expect(transport.peakConcurrency <= 2)
        #expect(transport.sentBodies.allSatisfy { ($0.arrayValue?.count ?? 0) <= 10 })
    }

    @Test func aBatchRejectedAsAWholeThrows() async throws {
        let transport = ScriptedTransport([.respond(200, #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch too large"}}"#)])
        let client = JSONRPCClient(endpoint: endpoint, options: fast, transport: transport)
        let error = try await #require(throws: JSONRPCError.self) {
            try await client.batch([JSONRPCCall("eth_call"), JSONRPCCall("eth_call")])
        }
        #expect(error.serverMessage == "batch too large")
    }

    @Test func retryDelaysGrowAndAreCapped() {
        let policy = JSONRPCRetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(100), maxDelay: .seconds(1))
        #expect(policy.delay(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 2) == .milliseconds(200))
        #expect(policy.delay(afterAttempt: 4) == .milliseconds(800))
        #expect(policy.delay(afterAttempt: 9) == .seconds(1))
        #expect(policy.delay(afterAttempt: 1, retryAfterSeconds: 30) == .seconds(1))
    }
}

/// Options that cannot work are refused when they are made, never met by a running client.
@Suite(.tags(.unit)) struct JSONRPCClientOptionsTests {
    @Test func nonPositiveLimitsAndTimeoutsAreRejectedWithTheirName() {
        let cases: [(String, () throws(JSONRPCOptionsError) -> JSONRPCClientOptions)] = [
            ("JSON-RPC option maxBatchSize must be at least 1, not 0.", { () throws(JSONRPCOptionsError) in try JSONRPCClientOptions(maxBatchSize: 0) }),
            ("JSON-RPC option maxBatchSize must be at least 1, not -3.", { () throws(JSONRPCOptionsError) in try JSONRPCClientOptions(maxBatchSize: -3) }),
            ("JSON-RPC option maxConcurrentRequests must be at least 1, not 0.",
             { () throws(JSONRPCOptionsError) in try JSONRPCClientOptions(maxConcurrentRequests: 0) }),
            ("JSON-RPC option timeout must be more than zero, not 0.0 seconds.", { () throws(JSONRPCOptionsError) in try JSONRPCClientOptions(timeout: .zero) }),
            ("JSON-RPC option timeout must be more than zero, not -1.0 seconds.",
             { () throws(JSONRPCOptionsError) in try JSONRPCClientOptions(timeout: .seconds(-1)) }),
        ]
        for (message, make) in cases {
            do {
                _ = try make()
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.description == message)
            }
        }
    }

    @Test func theSmallestWorkingValuesAreAccepted() async throws {
        let options = try JSONRPCClientOptions(timeout: .milliseconds(1), maxConcurrentRequests: 1, maxBatchSize: 1)
        #expect(options.maxBatchSize == 1 && options.maxConcurrentRequests == 1 && options.timeout == .milliseconds(1))
        #expect(JSONRPCClientOptions.standard == (try JSONRPCClientOptions()))
    }

    @Test func aBatchSizeOfOneSendsOneRequestPerCall() async throws {
        let transport = ScriptedTransport([.respondWith { request in answerEach(request) { _, _ in #""result":"0x1""# } }])
        let options = try JSONRPCClientOptions(timeout: .seconds(5), maxBatchSize: 1)
        let client = JSONRPCClient(endpoint: URL(fileURLWithPath: "/"), options: options, transport: transport)
        let results = try await client.batch((0..<3).map { _ in JSONRPCCall("eth_chainId") })
        #expect(results.count == 3)
        #expect(transport.requestCount == 3)
    }
}
