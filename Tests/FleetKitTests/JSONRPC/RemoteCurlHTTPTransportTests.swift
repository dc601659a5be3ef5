import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import FleetKitTesting
@testable import FleetKit

/// JSON-RPC to a service on a host's loopback, sent by curl on that host.
@Suite struct RemoteCurlHTTPTransportTests {
    let host = RemoteHost(name: "node1", address: "203.0.113.5")
    let url = URL(string: "http://127.0.0.1:8080/")!

    @Test func theBodyGoesOnStandardInputAndTheStatusComesFromTheLastLine() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":7}\n200") }
        let response = try await RemoteCurlHTTPTransport(transport: transport, host: host)
            .post(Data(#"{"method":"node_getBlockNumber"}"#.utf8), to: url, timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":7}")
        let call = try #require(transport.calls.first)
        #expect(call.host == "node1")
        #expect(call.command.standardInput == Data(#"{"method":"node_getBlockNumber"}"#.utf8))
        #expect(call.command.script.hasSuffix("-- http://127.0.0.1:8080/"))
        #expect(call.command.script.contains("-m 10 ") && call.command.script.contains("--data-binary @-"))
    }

    @Test func aJSONRPCClientCallsThroughIt() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x2a\"}\n200") }
        let client = JSONRPCClient(endpoint: url, transport: RemoteCurlHTTPTransport(transport: transport, host: host))
        #expect(try await client.call("node_getBlockNumber") == .string("0x2a"))
    }

    @Test func curlFailuresBecomeErrorsThatSayWhatHappened() async throws {
        let refused = ScriptedTransport { _, _ in .exit(7, stderr: "curl: (7) Failed to connect to 127.0.0.1 port 8080") }
        do {
            _ = try await RemoteCurlHTTPTransport(transport: refused, host: host).post(Data(), to: url, timeout: .seconds(5))
            Issue.record("a refused connection must throw")
        } catch let error as RemoteCurlError {
            #expect(error.curlExit == 7)
            #expect(error.description == "node1: POST http://127.0.0.1:8080/ failed: nothing listens there (curl exit 7): curl: (7) Failed to connect to 127.0.0.1 port 8080")
            #expect(error.localizedDescription == error.description)
        }
        let slow = ScriptedTransport { _, _ in .exit(28) }
        await #expect(throws: URLError.self) { try await RemoteCurlHTTPTransport(transport: slow, host: host).post(Data(), to: url, timeout: .seconds(5)) }
        let garbled = ScriptedTransport { _, _ in .exit(0, "no status") }
        await #expect(throws: RemoteCurlError.self) { try await RemoteCurlHTTPTransport(transport: garbled, host: host).post(Data(), to: url, timeout: .seconds(5)) }
    }

    @Test func realCurlAgainstAServerOnLoopback() async throws {
        let port = try LoopbackPort.free()
        // http.server answers POST with 501: enough to see curl's status and body come back.
        // Started through ProcessRunner, which stops it when the task is cancelled.
        let server = Task {
            try await ProcessRunner.run(ProcessRequest(executable: "/usr/bin/python3",
                                                       arguments: ["-m", "http.server", "--bind", "127.0.0.1", String(port)],
                                                       timeout: .seconds(120), killGrace: .milliseconds(500)))
        }
        for _ in 0..<6000 where !LoopbackPort.accepts(port) { try await Task.sleep(for: .milliseconds(50)) }
        let outcome: Result<HTTPResponse, any Error>
        do {
            outcome = .success(try await RemoteCurlHTTPTransport(transport: LocalTransport(), host: host)
                .post(Data("{}".utf8), to: URL(string: "http://127.0.0.1:\(port)/")!, timeout: .seconds(10)))
        } catch {
            outcome = .failure(error)
        }
        server.cancel()
        _ = try? await server.value
        let response = try outcome.get()
        #expect(response.status == 501)
        #expect(String(decoding: response.body, as: UTF8.self).contains("Unsupported method"))
    }
}
