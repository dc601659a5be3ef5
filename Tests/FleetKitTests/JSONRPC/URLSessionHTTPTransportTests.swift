import FleetTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import FleetKit

/// The URLSession transport against a server on loopback (the snapshot server answers a
/// POST with 405, which is an answer like any other here).
@Suite(.tags(.unit)) struct URLSessionHTTPTransportTests {
    @Test func anAnswerComesBackWithItsStatus() async throws {
        let running = try RunningSnapshotServer()
        defer { running.stop() }
        let url = try #require(URL(string: "http://127.0.0.1:\(running.port)/metrics"))
        let response = try await URLSessionHTTPTransport().post(Data("{}".utf8), to: url, timeout: .seconds(30))
        #expect(response.status == 405)
    }

    /// Cancellations before, during and after each request: FoundationNetworking traps on
    /// some of these when the session has a URL cache, which ends the whole process.
    @Test func requestsCancelledAtAnyMomentNeverTrap() async throws {
        let running = try RunningSnapshotServer()
        defer { running.stop() }
        let url = try #require(URL(string: "http://127.0.0.1:\(running.port)/metrics"))
        let transport = URLSessionHTTPTransport()
        var answered = 0
        for round in 0..<2000 {
            let request = Task { try await transport.post(Data("{}".utf8), to: url, timeout: .seconds(30)) }
            if round % 4 != 0 { await Task.yield() }
            if round % 4 == 3 { _ = try? await request.value }  // ends first, then the cancellation comes
            request.cancel()
            if (try? await request.value) != nil { answered += 1 }
        }
        #expect(answered >= 500, "the requests left to end before their cancellation were answered")
        #expect(try await transport.post(Data("{}".utf8), to: url, timeout: .seconds(30)).status == 405)
    }
}
