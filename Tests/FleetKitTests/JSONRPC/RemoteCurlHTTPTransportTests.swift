import FleetTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import FleetKitTesting
@testable import FleetKit

/// JSON-RPC to a service on a host's loopback, sent by curl on that host.
@Suite(.tags(.unit)) struct RemoteCurlHTTPTransportTests {
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
        // http.server answers POST with 501: enough to see curl's status and body come back.
        // It binds port 0 itself and prints the port, so no other program can take it first.
        // Started through ProcessRunner, which stops it when the task is cancelled.
        let script = "import http.server; s = http.server.HTTPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler); "
            + "print(s.server_address[1], flush=True); s.serve_forever()"
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let firstLine = Locked(Data())
        let server = Task {
            let output = try await ProcessRunner.run(ProcessRequest(
                executable: "/usr/bin/python3", arguments: ["-c", script], timeout: .seconds(600), killGrace: .milliseconds(500),
                standardOutputHandler: { bytes in
                    let line: String? = firstLine.withLock { line in
                        line.append(contentsOf: bytes)
                        guard let end = line.firstIndex(of: 0x0A) else { return nil }
                        return String(decoding: line[..<end], as: UTF8.self)
                    }
                    if let line, let port = Int(line) { announce.yield(port) }
                }))
            announce.finish()
            return output
        }
        var announced: Int?
        for await port in ports {
            announced = port
            break
        }
        guard let port = announced else {
            let output = try await server.value
            Issue.record("the test server ended without a port: \(String(decoding: output.standardError, as: UTF8.self))")
            return
        }
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
