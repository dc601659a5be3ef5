import FleetKit
import Foundation
import Testing

extension SnapshotHTTPServerSocketSuites {
    @Suite(.serialized) struct SnapshotHTTPServerHardeningTests {
        /// Sends `bytes` on a fresh connection and returns the answer, after checking the
        /// server then closed the connection.
        private func answerThenClose(_ running: RunningSnapshotServer, _ bytes: String) throws -> Int {
            let client = try running.client()
            try client.send(bytes)
            let response = try client.readResponse()
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose(), "still open after answering \(bytes.debugDescription)")
            return response.status
        }

        @Test(arguments: [
            "GET /metrics HTTP/1.1\nHost: a\n\n",                   // bare LF
            "GET /metrics HTTP/1.1\rHost: a\r\n\r\n",               // bare CR
            "GET  /metrics HTTP/1.1\r\nHost: a\r\n\r\n",            // two spaces
            "GET /metrics\r\nHost: a\r\n\r\n",                      // no version
            "GET metrics HTTP/1.1\r\nHost: a\r\n\r\n",              // not origin-form
            "GET /metrics HTTP/1.1 extra\r\nHost: a\r\n\r\n",
            "GET /metrics HTTP/one\r\nHost: a\r\n\r\n",
            "G(T /metrics HTTP/1.1\r\nHost: a\r\n\r\n",             // not a token
            "GET /metrics HTTP/1.1\r\n\r\n",                        // HTTP/1.1 without Host
            "GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost : a\r\n\r\n",            // space before colon
            "GET /metrics HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: a\u{01}b\r\n\r\n",      // control character
            "GET /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
            "GET /met\u{7F}rics HTTP/1.1\r\nHost: a\r\n\r\n",
        ])
        func malformedHeadIsBadRequestAndClosed(head: String) throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            #expect(try answerThenClose(running, head) == 400)
            #expect(running.server.statistics.badRequests == 1)
            #expect(running.server.statistics.requestsServed == 0)
        }

        @Test func unsupportedMajorVersionIs505() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            #expect(try answerThenClose(running, "GET /metrics HTTP/2.0\r\nHost: a\r\n\r\n") == 505)
        }

        @Test func oversizedHeadIs431AndClosed() throws {
            let running = try RunningSnapshotServer(maxRequestHeadBytes: 1024)
            defer { running.stop() }
            let filler = "X-Filler: " + String(repeating: "a", count: 2000) + "\r\n"
            #expect(try answerThenClose(running, "GET /metrics HTTP/1.1\r\nHost: a\r\n" + filler + "\r\n") == 431)
            // Without an end of head at all.
            #expect(try answerThenClose(running, "GET /metrics HTTP/1.1\r\n" + filler) == 431)

            // A head of exactly the limit is served.
            let start = "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Pad: "
            let pad = String(repeating: "p", count: 1024 - start.utf8.count - 4)
            let exact = start + pad + "\r\n\r\n"
            #expect(exact.utf8.count == 1024)
            let client = try running.client()
            try client.send(exact)
            #expect(try client.readResponse().status == 200)
        }

        @Test(arguments: ["Content-Length: 5", "Transfer-Encoding: chunked", "Content-Length: 0\r\nContent-Length: 1"])
        func requestWithBodyIsRefusedAndClosed(header: String) throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            for method in ["GET", "HEAD"] {
                let client = try running.client()
                try client.send("\(method) /metrics HTTP/1.1\r\nHost: a\r\n\(header)\r\n\r\nhello")
                let response = try client.readResponse(headOnly: method == "HEAD")
                #expect(response.status == 400)
                #expect(client.waitForClose())
            }
            #expect(try running.get("/metrics", headers: ["Content-Length: 0"]).status == 200)
        }

        @Test func stalledHeadIsClosedAfterRequestTimeoutWhileOthersAreServed() async throws {
            let running = try RunningSnapshotServer(requestTimeout: .milliseconds(300))
            defer { running.stop() }
            let stalled = try running.client()
            try stalled.send("GET /metrics HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            let started = ContinuousClock.now
            // While the stalled client holds its connection, others are answered.
            while ContinuousClock.now - started < .milliseconds(200) {
                #expect(try running.get("/healthz").status == 200)
            }
            // Trickling bytes does not extend the time allowed.
            for _ in 0..<3 {
                try? stalled.send("a")
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(stalled.waitForClose(within: .seconds(5)))
            #expect(running.server.statistics.connectionsTimedOut >= 1)

            let silent = try running.client()
            #expect(silent.waitForClose(within: .seconds(5)))
            #expect(running.server.statistics.connectionsTimedOut >= 2)
        }

        @Test func idleKeepAliveConnectionIsClosedAfterIdleTimeout() throws {
            let running = try RunningSnapshotServer(idleTimeout: .milliseconds(300))
            defer { running.stop() }
            let client = try running.client()
            try client.request("GET", "/healthz")
            #expect(try client.readResponse().status == 200)
            #expect(client.waitForClose(within: .seconds(5)))
            #expect(running.server.statistics.idleConnectionsClosed == 1)
            #expect(running.server.statistics.connectionsTimedOut == 0)
        }

        @Test func connectionsBeyondTheLimitAreRefusedWhileOthersAreServed() async throws {
            let running = try RunningSnapshotServer(maxConnections: 4)
            defer { running.stop() }
            let stalled = try (0..<4).map { _ in try running.client() }
            for client in stalled { try client.send("GET /metrics HTTP/1.1\r\n") }
            #expect(await eventually { running.server.statistics.openConnections == 4 })

            let fifth = try running.client()
            try fifth.request("GET", "/metrics")
            let refused = try fifth.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Connection") == "close")
            #expect(fifth.waitForClose())
            #expect(running.server.statistics.connectionsRefused == 1)

            // An admitted client is still served.
            try stalled[0].send("Host: a\r\n\r\n")
            #expect(try stalled[0].readResponse().status == 200)

            // Once one leaves, a new client takes its place.
            stalled[1].close()
            #expect(await eventually { running.server.statistics.openConnections == 3 })
            let next = try running.client()
            try next.request("GET", "/metrics")
            #expect(try next.readResponse().status == 200)
            #expect(running.server.statistics.connectionsAccepted == 5)
        }

        @Test func clientsVanishingMidAnswerDoNotHurtTheServer() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            // Far more than a socket buffer, so the server is still writing when the reset comes.
            running.server.publish(HTTPSnapshot(contentType: "application/octet-stream", body: [UInt8](repeating: 7, count: 8 << 20)), at: "/big")
            for _ in 0..<5 {
                let client = try running.client()
                try client.request("GET", "/big")
                var prefix = [UInt8](repeating: 0, count: 1024)
                _ = prefix.withUnsafeMutableBytes { recv(client.descriptor, $0.baseAddress, $0.count, 0) }
                client.reset()
            }
            let response = try running.get("/big")
            #expect(response.body.count == 8 << 20)
            #expect(try running.get("/healthz").status == 200)
        }
    }
}
