import FleetKit
import Foundation
import Testing

extension SnapshotHTTPServerSocketSuites {
    @Suite(.serialized) struct SnapshotHTTPServerRoutingTests {
        @Test func getAnswersThePublishedSnapshotWithItsHeaders() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let response = try running.get("/metrics?ignored=1")
            #expect(response.status == 200)
            #expect(response.body == RunningSnapshotServer.metricsBody)
            #expect(response.header("Content-Type") == RunningSnapshotServer.metricsType)
            #expect(response.header("Content-Length") == "\(RunningSnapshotServer.metricsBody.count)")
            #expect(response.header("Connection") == "keep-alive")
            #expect(response.header("Cache-Control") == "no-store")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Server") == nil)
            #expect(running.server.statistics.requestsServed == 1)
        }

        @Test func headSendsTheHeadersOnly() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let client = try running.client()
            try client.request("HEAD", "/metrics")
            let head = try client.readResponse(headOnly: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "\(RunningSnapshotServer.metricsBody.count)")
            // Had a body followed, it would be read here instead of the second answer.
            try client.request("GET", "/healthz")
            let next = try client.readResponse()
            #expect(next.status == 200)
            #expect(next.bodyText == "ok\n")
        }

        @Test func unknownPathIsNotFound() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let response = try running.get("/nothing-here")
            #expect(response.status == 404)
            #expect(response.header("Cache-Control") == "no-store")
            #expect(try running.get("/metrics/").status == 404)
            #expect(try running.get("/METRICS").status == 404)
        }

        @Test(arguments: ["POST", "PUT", "DELETE", "OPTIONS", "BREW"])
        func otherMethodsAreNotAllowed(method: String) throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let client = try running.client()
            try client.request(method, "/metrics")
            let response = try client.readResponse()
            #expect(response.status == 405)
            #expect(response.header("Allow") == "GET, HEAD")
            // The connection stays usable.
            try client.request("GET", "/metrics")
            #expect(try client.readResponse().status == 200)
        }

        @Test func keepAliveServesRequestsOneAfterAnotherOnOneConnection() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let client = try running.client()
            for path in ["/metrics", "/healthz", "/metrics"] {
                try client.request("GET", path)
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.header("Connection") == "keep-alive")
            }
            #expect(running.server.statistics.connectionsAccepted == 1)
            #expect(running.server.statistics.requestsServed == 3)
        }

        @Test func pipelinedRequestsAreAnsweredInOrder() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let client = try running.client()
            let one = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
            let two = "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"
            try client.send(one + two + one)
            #expect(try client.readResponse().bodyText == "ok\n")
            #expect(try client.readResponse().body == RunningSnapshotServer.metricsBody)
            #expect(try client.readResponse().bodyText == "ok\n")
        }

        @Test func connectionCloseAndHTTP10CloseAfterTheAnswer() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let closing = try running.client()
            try closing.request("GET", "/metrics", headers: ["Connection: close"])
            let answer = try closing.readResponse()
            #expect(answer.status == 200)
            #expect(answer.header("Connection") == "close")
            #expect(closing.waitForClose())

            let old = try running.client()
            try old.send("GET /metrics HTTP/1.0\r\n\r\n")
            let oldAnswer = try old.readResponse()
            #expect(oldAnswer.status == 200)
            #expect(oldAnswer.header("Connection") == "close")
            #expect(old.waitForClose())
        }

        @Test func tokenIsRequiredOutsidePublicPaths() throws {
            let token = "k7-Secret.token_value"
            let running = try RunningSnapshotServer(token: token)
            defer { running.stop() }
            let missing = try running.get("/metrics")
            #expect(missing.status == 401)
            #expect(missing.header("WWW-Authenticate") == "Bearer realm=\"Metrics\"")
            #expect(!missing.bodyText.contains(token))

            for wrong in ["Bearer wrong", "Bearer \(token)x", "Bearer k7-Secret.token_valuE", "Basic \(token)", "Bearer", token] {
                #expect(try running.get("/metrics", headers: ["Authorization: \(wrong)"]).status == 401, "\(wrong)")
            }
            let right = try running.get("/metrics", headers: ["Authorization: Bearer \(token)"])
            #expect(right.status == 200)
            #expect(right.body == RunningSnapshotServer.metricsBody)
            #expect(try running.get("/metrics", headers: ["authorization: bearer  \(token) "]).status == 200)
            #expect(try running.get("/metrics", method: "HEAD", headers: ["Authorization: Bearer \(token)"]).status == 200)
        }

        @Test func unauthorizedAnswersDoNotRevealWhichPathsExist() throws {
            let running = try RunningSnapshotServer(token: "tok-123456")
            defer { running.stop() }
            let existing = try running.get("/metrics")
            let missing = try running.get("/no-such-path")
            #expect(existing.status == 401)
            #expect(missing.status == 401)
            #expect(existing.body == missing.body)
            #expect(existing.headers.map(\.name) == missing.headers.map(\.name))
            #expect(try running.get("/no-such-path", headers: ["Authorization: Bearer tok-123456"]).status == 404)
            #expect(try running.get("/metrics", method: "POST").status == 401)
        }

        @Test func publicPathNeedsNoToken() throws {
            let running = try RunningSnapshotServer(token: "tok-123456")
            defer { running.stop() }
            let health = try running.get("/healthz")
            #expect(health.status == 200)
            #expect(health.bodyText == "ok\n")
            #expect(try running.get("/healthz", headers: ["Authorization: Bearer wrong"]).status == 200)
        }

        @Test func unservableSnapshotIsAnswered500() throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            running.server.publish(HTTPSnapshot(contentType: "text/plain\r\nX-Injected: 1", body: [1]), at: "/bad")
            running.server.publish(HTTPSnapshot(status: 99, contentType: "text/plain", body: [1]), at: "/odd")
            for path in ["/bad", "/odd"] {
                let response = try running.get(path)
                #expect(response.status == 500)
                #expect(response.header("X-Injected") == nil)
            }
            running.server.publish(HTTPSnapshot(status: 503, contentType: "text/plain", body: Array("down\n".utf8)), at: "/healthz")
            let unhealthy = try running.get("/healthz")
            #expect(unhealthy.status == 503)
            #expect(unhealthy.bodyText == "down\n")
        }
    }
}

extension SnapshotHTTPServerSocketSuites {
    /// `Accept-Encoding: gzip`, as Prometheus sends it: large snapshots answered compressed.
    @Suite(.serialized) struct SnapshotHTTPServerGzipTests {
        @Test func largeSnapshotsAreServedCompressedToClientsThatAcceptGzip() async throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let page = GzipTests.metricsPage(lines: 2_000)
            running.server.publish(HTTPSnapshot(contentType: RunningSnapshotServer.metricsType, body: page), at: "/metrics")
            let plain = try running.get("/metrics")
            #expect(plain.body == page && plain.header("Content-Encoding") == nil && plain.header("Vary") == "Accept-Encoding")
            for accept in ["gzip", "gzip, deflate", "deflate, x-gzip;q=0.5", "*", "br;q=1.0, gzip;q=0.8"] {
                let compressed = try running.get("/metrics", headers: ["Accept-Encoding: \(accept)"])
                #expect(compressed.status == 200)
                #expect(compressed.header("Content-Encoding") == "gzip", "\(accept)")
                #expect(compressed.header("Content-Length") == "\(compressed.body.count)")
                #expect(compressed.body.count < page.count / 5)
                #expect(try await GzipTests.inflate(compressed.body) == page, "\(accept)")
            }
            for refused in ["gzip;q=0", "deflate", "identity", "gzip; q=0.0"] {
                let response = try running.get("/metrics", headers: ["Accept-Encoding: \(refused)"])
                #expect(response.header("Content-Encoding") == nil && response.body == page, "\(refused)")
            }
            // HEAD tells the compressed length without the body.
            let head = try running.get("/metrics", method: "HEAD", headers: ["Accept-Encoding: gzip"])
            #expect(head.header("Content-Encoding") == "gzip" && head.body.isEmpty)
            // A small body is never compressed.
            let health = try running.get("/healthz", headers: ["Accept-Encoding: gzip"])
            #expect(health.header("Content-Encoding") == nil && health.bodyText == "ok\n")
        }
    }
}
