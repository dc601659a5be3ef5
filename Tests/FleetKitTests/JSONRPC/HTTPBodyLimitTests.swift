import FleetTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FleetKitTesting
import Testing
@testable import FleetKit

/// Both HTTP transports read at most a configured number of bytes of an answer, so a huge
/// JSON-RPC answer cannot take the daemon's memory with it.
@Suite(.tags(.unit)) struct HTTPBodyLimitTests {
    let host = RemoteHost(name: "node1", address: "203.0.113.5")
    let url = URL(string: "http://127.0.0.1:8080/")!

    @Test func theURLSessionTransportStopsAtItsLimit() async throws {
        let running = try RunningSnapshotServer()
        defer { running.stop() }
        let body = Array(repeating: UInt8(ascii: "x"), count: 200 * 1024)
        running.server.publish(HTTPSnapshot(contentType: "application/json", body: body), at: "/big")
        let big = try #require(URL(string: "http://127.0.0.1:\(running.port)/big"))
        let small = URLSessionHTTPTransport(maximumBodySize: 64 * 1024)
        #expect(small.maximumBodySize == 64 * 1024)
        await #expect(throws: HTTPBodyTooLargeError(limit: 64 * 1024)) { try await small.get(big, timeout: .seconds(30)) }
        let roomy = URLSessionHTTPTransport(maximumBodySize: 1024 * 1024)
        let answer = try await roomy.get(big, timeout: .seconds(30))
        #expect(answer.status == 200 && answer.body == Data(body), "an answer under the limit arrives whole")
        #expect(URLSessionHTTPTransport().maximumBodySize == 32 * 1024 * 1024)
        #expect(HTTPBodyTooLargeError(limit: 32 << 20).description == "the answer is larger than 32 MiB, the most read from one HTTP answer")
    }

    @Test func aJSONRPCClientReportsTheTooLargeAnswer() async throws {
        let running = try RunningSnapshotServer()
        defer { running.stop() }
        running.server.publish(HTTPSnapshot(contentType: "application/json", body: Array(repeating: 32, count: 4096)), at: "/rpc")
        let endpoint = try #require(URL(string: "http://127.0.0.1:\(running.port)/rpc"))
        let transport = URLSessionHTTPTransport(maximumBodySize: 1024)
        await #expect(throws: HTTPBodyTooLargeError.self) { try await transport.get(endpoint, timeout: .seconds(30)) }
    }

    @Test func theRemoteCurlTransportAsksCurlToStopAndKeepsNoMore() async throws {
        let answer = "{\"result\":\"" + String(repeating: "a", count: 100) + "\"}\n200"
        let transport = ScriptedTransport { _, _ in .exit(0, answer) }
        let limited = RemoteCurlHTTPTransport(transport: transport, host: host, maximumBodySize: 50)
        await #expect(throws: HTTPBodyTooLargeError(limit: 50)) { try await limited.post(Data("{}".utf8), to: url, timeout: .seconds(10)) }
        let call = try #require(transport.calls.first)
        #expect(call.command.script.contains("--max-filesize 50 "))
        #expect(call.command.outputLimit == 66, "no more than the limit and the status line is kept")
        let refusedByCurl = ScriptedTransport { _, _ in .exit(63, stderr: "curl: (63) Maximum file size exceeded") }
        await #expect(throws: HTTPBodyTooLargeError.self) {
            try await RemoteCurlHTTPTransport(transport: refusedByCurl, host: host).get(url, timeout: .seconds(10))
        }
        let fits = ScriptedTransport { _, _ in .exit(0, answer) }
        let response = try await RemoteCurlHTTPTransport(transport: fits, host: host).post(Data("{}".utf8), to: url, timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(try #require(fits.calls.first).command.script.contains("--max-filesize \(32 * 1024 * 1024) "))
    }
}
