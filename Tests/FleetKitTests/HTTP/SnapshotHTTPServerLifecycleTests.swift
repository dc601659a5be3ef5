import FleetKit
import Foundation
import Testing

extension SnapshotHTTPServerSocketSuites {
    @Suite(.serialized) struct SnapshotHTTPServerLifecycleTests {
        @Test func publishingWhileClientsHammerGivesWholeOldOrNewBodies() async throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            let bodies = (0..<6).map { version in
                [UInt8](repeating: UInt8(ascii: "a") + UInt8(version), count: 1000 + version * 7919)
            }
            running.server.publish(HTTPSnapshot(contentType: "text/plain", body: bodies[0]), at: "/data")
            // A thread of its own: the clients below block the few threads of the task pool.
            let publishing = Locked(true)
            let publisher = Thread {
                var version = 0
                while publishing.withLock({ $0 }) {
                    version = (version + 1) % bodies.count
                    running.server.publish(HTTPSnapshot(contentType: "text/plain", body: bodies[version]), at: "/data")
                    usleep(200)
                }
            }
            publisher.start()
            let answers = try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let client = try running.client()
                        var seen: [[UInt8]] = []
                        for _ in 0..<60 {
                            try client.request("GET", "/data")
                            let response = try client.readResponse()
                            #expect(response.status == 200)
                            seen.append(response.body)
                        }
                        return seen
                    }
                }
                var all: [[UInt8]] = []
                for try await seen in group { all += seen }
                return all
            }
            publishing.withLock { $0 = false }
            #expect(answers.count == 240)
            for body in answers { #expect(bodies.contains(body)) }
            #expect(Set(answers).count > 1, "the snapshot was never seen replaced")
        }

        @Test func stopIsIdempotentClosesThePortAndEndsConnections() async throws {
            let running = try RunningSnapshotServer()
            let connected = try running.client()
            try connected.request("GET", "/healthz")
            #expect(try connected.readResponse().status == 200)

            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { running.server.stop() } }
            }
            running.stop()
            #expect(connected.waitForClose())
            #expect(RawHTTPClient.connectionRefused(port: running.port))
            #expect(running.server.statistics.openConnections == 0)
            #expect(throws: SnapshotHTTPServerError.self) { try running.server.start() }

            let neverStarted = SnapshotHTTPServer(configuration: try SnapshotHTTPServerConfiguration(port: 0))
            neverStarted.stop()
            neverStarted.stop()
        }

        @Test func descriptorsReturnToTheBaselineAfterALifecycleWithManyConnections() async throws {
            let baseline = openDescriptorCount()
            #expect(baseline > 0)
            do {
                let running = try RunningSnapshotServer(maxConnections: 20, requestTimeout: .seconds(5))
                var clients: [RawHTTPClient] = []
                for index in 0..<40 {
                    let client = try running.client()
                    switch index % 4 {
                    case 0:
                        try client.request("GET", "/metrics")
                        _ = try? client.readResponse()
                    case 1:
                        try client.send("GET /metr")  // stalled mid-head
                    case 2:
                        try client.send("BAD\r\n\r\n")
                    default:
                        client.close()  // gone at once
                    }
                    clients.append(client)
                }
                #expect(await eventually { running.server.statistics.connectionsAccepted + running.server.statistics.connectionsRefused == 40 })
                #expect(running.server.statistics.connectionsRefused > 0)
                running.stop()
                for client in clients { client.close() }
            }
            #expect(await eventually { openDescriptorCount() <= baseline }, "\(openDescriptorCount()) open, \(baseline) before")
        }

        @Test func theServingThreadKeepsServingAcrossManyShortConnections() async throws {
            let running = try RunningSnapshotServer()
            defer { running.stop() }
            for _ in 0..<200 {
                #expect(try running.get("/healthz").status == 200)
            }
            #expect(running.server.statistics.connectionsAccepted == 200)
            #expect(await eventually { running.server.statistics.openConnections == 0 })
        }
    }
}
