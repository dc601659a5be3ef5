import FleetKit
import Foundation
import Testing

extension SnapshotHTTPServerSocketSuites {
    /// One client holding many never-finished requests (a slowloris) must not make the
    /// endpoint look down to a scraper elsewhere.
    @Suite(.serialized) struct SnapshotHTTPServerPeerLimitTests {
        /// What the scraping thread saw, shared with the test's thread.
        private final class ScrapeTally: @unchecked Sendable {
            private let lock = NSLock()
            private var statuses: [Int] = []
            private var stopping = false

            func record(_ status: Int) { lock.withLock { statuses.append(status) } }
            var seen: [Int] { lock.withLock { statuses } }
            var stopRequested: Bool { lock.withLock { stopping } }
            func stop() { lock.withLock { stopping = true } }
        }

        /// One scrape as Prometheus makes it, from 127.0.0.2: a fresh connection, a GET of
        /// /metrics, the answer's status (-1 when none came).
        private static func scrape(port: Int) -> Int {
            do {
                let client = try RawHTTPClient(port: port, readTimeout: .seconds(20), sourceAddress: "127.0.0.2")
                defer { client.close() }
                try client.request("GET", "/metrics")
                return try client.readResponse().status
            } catch {
                return -1
            }
        }

        @Test(.timeLimit(.minutes(2)))
        func threeHundredSlowConnectionsFromOnePeerDoNotLockOutAScraperFromAnother() async throws {
            let running = try RunningSnapshotServer(requestTimeout: .seconds(60))
            defer { running.stop() }
            let port = running.port
            let tally = ScrapeTally()
            let scraperDone = DispatchSemaphore(value: 0)
            let scraper = Thread {
                while !tally.stopRequested { tally.record(Self.scrape(port: port)) }
                scraperDone.signal()
            }
            scraper.start()

            // 300 connections from 127.0.0.1, each with a head that never ends.
            var slow: [RawHTTPClient] = []
            for _ in 0..<300 {
                let client = try running.client()
                try? client.send("GET /metrics HTTP/1.1\r\nHost: a\r\nX-Slow: ")
                slow.append(client)
            }
            let expectedRefusals = 300 - 32
            #expect(await eventually(within: .seconds(60)) {
                running.server.statistics.connectionsRefusedForPeer >= expectedRefusals
            })
            // Keep scraping while every slow connection the server admitted is still held.
            let scrapesBefore = tally.seen.count
            #expect(await eventually(within: .seconds(60)) { tally.seen.count >= scrapesBefore + 50 })
            tally.stop()
            scraperDone.wait()

            let statuses = tally.seen
            #expect(!statuses.isEmpty)
            #expect(statuses.allSatisfy { $0 == 200 },
                    "\(statuses.filter { $0 != 200 }.count) of \(statuses.count) scrapes were not answered 200: \(Set(statuses))")
            #expect(running.server.statistics.connectionsRefusedForPeer == expectedRefusals)
            for client in slow { client.close() }
        }

        @Test func aPeerAtItsLimitIsRefusedWhileAnotherPeerIsServed() async throws {
            let running = try RunningSnapshotServer(maxConnectionsPerPeer: 2)
            defer { running.stop() }
            let held = try (0..<2).map { _ in try running.client() }
            for client in held { try client.send("GET /metrics HTTP/1.1\r\n") }
            #expect(await eventually { running.server.statistics.openConnections == 2 })

            let third = try running.client()
            try third.request("GET", "/metrics")
            let refused = try third.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "1")
            #expect(running.server.statistics.connectionsRefusedForPeer == 1)

            let other = try running.client(sourceAddress: "127.0.0.2")
            try other.request("GET", "/metrics")
            #expect(try other.readResponse().status == 200)

            // Once one of its connections ends, the first peer gets a slot again.
            held[0].close()
            #expect(await eventually { running.server.statistics.openConnections == 2 })
            let again = try running.client()
            try again.request("GET", "/metrics")
            #expect(try again.readResponse().status == 200)
        }
    }
}
