import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Batches, the health gate and the stop policy of rolling operations, with scripted actions and gates.
@Suite(.tags(.unit))
struct RolloutTests {
    /// A clock whose sleeps pass at once and move its time forward.
    final class SteppingClock: FleetClock, @unchecked Sendable {
        // Guarded by `lock`.
        private var current = Date(timeIntervalSince1970: 0)
        private let lock = NSLock()
        func now() -> Date { lock.withLock { current } }
        func sleep(for duration: Duration) async throws { lock.withLock { current = current.addingTimeInterval(duration.seconds) } }
    }

    /// A watch that is healthy on its second look, or never for the hosts in `sick`.
    struct ScriptedWatch: HealthWatch {
        let healthy: Bool
        var looks = 0
        mutating func look() async -> HealthVerdict {
            looks += 1
            return healthy && looks >= 2 ? .healthy("advanced") : .waiting("block stays at 7")
        }
    }

    static func hosts(_ count: Int) -> [RemoteHost] { (1...count).map { RemoteHost(name: "n\($0)", address: "10.0.0.\($0)") } }

    static func gate(sick: Set<String>) -> HealthGate {
        HealthGate { host in ScriptedWatch(healthy: !sick.contains(host.name)) }
    }

    @Test func batchSizesFromCountsAndShares() {
        #expect(BatchSize(parsing: "2") == .hosts(2))
        #expect(BatchSize(parsing: "25%") == .percent(25))
        for bad in ["0", "-1", "0%", "101%", "x", ""] { #expect(BatchSize(parsing: bad) == nil, "\(bad)") }
        #expect(BatchSize.percent(25).size(of: 10) == 3, "rounded up")
        #expect(BatchSize.percent(1).size(of: 3) == 1, "at least one host")
        #expect(BatchSize.hosts(2).batches([1, 2, 3, 4, 5]) == [[1, 2], [3, 4], [5]])
    }

    @Test func aSecondBatchFailingItsGateLeavesTheThirdUntouched() async {
        let touched = Locked<[String]>([])
        let rollout = Rollout(policy: RolloutPolicy(batchSize: .hosts(1), gateTimeout: .seconds(30), gateInterval: .seconds(5)),
                              gate: Self.gate(sick: ["n2"]), clock: SteppingClock())
        let report = await rollout.run(Self.hosts(3), runLog: .discarding) { host in
            touched.withLock { $0.append(host.name) }
            return .done("keystore written", restarted: true)
        }
        #expect(touched.withLock { $0 } == ["n1", "n2"], "n3 must not be touched")
        #expect(report.hosts.map(\.outcome) == [.done, .gateFailed, .notRun])
        #expect(report.hosts[1].detail.contains("not healthy after 30 s: block stays at 7"))
        #expect(report.stopReason?.contains("more than the 0 allowed") == true)
        #expect(!report.succeeded)
        #expect(report.recapLines.last == "rollout stopped: 1 host failed by batch 2, more than the 0 allowed")
    }

    @Test func failuresUpToTheLimitLetTheRolloutGoOn() async {
        let rollout = Rollout(policy: RolloutPolicy(batchSize: .hosts(1), gateTimeout: .seconds(10), gateInterval: .seconds(5), maxFailures: 1),
                              gate: Self.gate(sick: ["n1"]), clock: SteppingClock())
        let report = await rollout.run(Self.hosts(3), runLog: .discarding) { _ in .done("restarted", restarted: true) }
        #expect(report.hosts.map(\.outcome) == [.gateFailed, .done, .done])
        #expect(report.stopReason == nil)
    }

    @Test func hostsNotRestartedSkipTheGateAndFailedActionsCount() async {
        let rollout = Rollout(policy: RolloutPolicy(batchSize: .percent(50)), gate: Self.gate(sick: ["n1", "n2", "n3", "n4"]), clock: SteppingClock())
        let report = await rollout.run(Self.hosts(4), runLog: .discarding) { host in
            host.name == "n2" ? .failed("upload failed") : .unchanged("same file")
        }
        #expect(report.batches == [["n1", "n2"], ["n3", "n4"]])
        #expect(report.hosts.map(\.outcome) == [.unchanged, .failed, .notRun, .notRun])
    }
}
