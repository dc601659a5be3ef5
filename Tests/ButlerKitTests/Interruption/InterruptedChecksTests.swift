import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// `status`, `sync`, `proof` and `sanity` cancelled mid-run: their reports say which servers were
/// done, which were cut short and which never started, for the tools' interrupted recap.
@Suite(.tags(.unit)) struct InterruptedChecksTests {
    static let hosts = (1...3).map { RemoteHost(name: "node-\($0)", address: "198.51.100.\($0)") }

    /// A transport where the connectivity probe (`true`) answers at once and every other
    /// command hangs until it is cancelled; it counts the commands that hang. Like the
    /// OpenSSH transport, it sends nothing once the task is cancelled.
    static func hangingTransport(_ hanging: Locked<Int>) -> FleetKitTesting.ScriptedTransport {
        FleetKitTesting.ScriptedTransport { host, command in
            if Task.isCancelled {
                return .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled before the command was sent"))
            }
            if command.script == "true" { return .exit(0) }
            hanging.withLock { $0 += 1 }
            try? await Task.sleep(for: .seconds(3600))
            return .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran"))
        }
    }

    /// Runs `job` on the three servers one at a time, cancels it once the first server's
    /// command hangs, and returns the report.
    static func interrupted<Job: FleetJob>(_ job: Job) async throws -> Job.Report where Job.Report: Sendable {
        let hanging = Locked(0)
        let configuration = FleetSession.Configuration(inventory: .hosts(hosts, name: "servers"), run: try RunOptions(forks: 1),
                                                       log: .log(.discarding), transport: hangingTransport(hanging))
        let run = Task { try await FleetSession.with(configuration) { session in try await session.run(job) } }
        try await eventually(300, "the first server's command") { hanging.withLock { $0 } == 1 }
        run.cancel()
        let report = try await run.value
        #expect(hanging.withLock { $0 } == 1, "no server starts after the cancellation")
        return report
    }

    static let expectedLines = ["done: none", "stopped in flight: node-1", "not started: node-2, node-3"]

    @Test func anInterruptedStatusCheckSaysHowFarEachServerGot() async throws {
        let report = try await Self.interrupted(NodeStatusCheck())
        #expect(report.statuses.map(\.host) == ["node-1", "node-2", "node-3"])
        #expect(report.progress.map(\.progress) == [.stoppedInFlight, .notStarted, .notStarted])
        #expect(report.progressLines() == Self.expectedLines)
    }

    @Test func anInterruptedSyncCheckSaysHowFarEachServerGot() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sync-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let report = try await Self.interrupted(SyncCheck(resultsFile: file))
        #expect(report.results.map(\.name) == ["node-1", "node-2", "node-3"])
        #expect(report.progressLines() == Self.expectedLines)
    }

    @Test func anInterruptedProofCollectionSaysHowFarEachServerGot() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("proof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = try await Self.interrupted(ProofCollection(resultsFile: folder.appendingPathComponent("proof_results.csv")))
        #expect(report.results.map(\.name) == ["node-1", "node-2", "node-3"])
        #expect(report.progressLines() == Self.expectedLines)
    }

    @Test func anInterruptedSanityCheckSaysHowFarEachServerGot() async throws {
        let job = try FleetSanityCheck(settings: SanityChecker.Settings(since: "1h", window: .seconds(1)))
        let run = try await Self.interrupted(job)
        #expect(run.report.hosts.map(\.observation.name) == ["node-1", "node-2", "node-3"])
        #expect(run.progressLines() == Self.expectedLines)
    }

    @Test func aFinishedCheckCountsEveryServerDone() async {
        let tracked = await Concurrently.mapTrackingProgress([1, 2, 3], limit: 2) { $0 * 2 }
        #expect(tracked.map(\.output) == [2, 4, 6])
        #expect(tracked.allSatisfy { $0.progress == .done })
        #expect(HostProgress.lines([(name: "a", progress: .done, detail: "(failed)"), (name: "b", progress: .notStarted, detail: nil)])
            == ["done: a (failed)", "stopped in flight: none", "not started: b"])
    }
}
