import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit
import FleetKitTesting

/// Cancelling the task that runs a playbook, with a scripted transport.
@Suite(.tags(.unit)) struct RunCancellationTests {
    /// One command per action, as these scripted transports answer commands by name
    /// (cancellation inside an action batch: ActionBatchTests).
    static let oneByOne: RunOptions = {
        var options = RunOptions()
        options.batchesActions = false
        return options
    }()

    @Test func aRetryPauseEndsWhenTheRunIsCancelled() async {
        let transport = ScriptedTransport { _, _ in .exit(1, stderr: "not yet\n") }
        let playbook = Playbook("p", steps: [
            Step("flaky", action: .shell("try it"), retries: 5, retryDelay: .seconds(3600)),
            Step("after", action: .shell("later")),
        ])
        let run = Task { await PlaybookRunner(transport: transport, runLog: .discarding, options: Self.oneByOne, clock: SystemClock()).run(playbook, on: hosts(1)) }
        #expect(await eventually { !transport.calls.isEmpty })
        run.cancel()
        let report = await run.value
        #expect(transport.calls.map(\.command.script) == ["try it"], "no retry after the cancellation, and no later step")
        #expect(report.hosts[0].status == .stopped)
        #expect(report.hosts[0].message == "flaky: cancelled while waiting to retry")
        #expect(report.hosts[0].steps.isEmpty, "the unfinished step is not recorded")
        #expect(report.stopReason == PlaybookRunner.cancelledReason)
    }

    @Test func aCancelledCommandStopsTheHostWithoutRescueAndIsNotUnreachable() async {
        let transport = ScriptedTransport { host, command in
            command.script == "slow"
                ? .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran"))
                : .exit(0)
        }
        let playbook = Playbook("p", steps: [
            Step("first", action: .shell("quick")),
            Step("slow one", action: .shell("slow"), rescue: .shell("rescue")),
            Step("never", action: .shell("never")),
        ])
        let report = await PlaybookRunner(transport: transport, runLog: .discarding, options: Self.oneByOne, clock: RecordingClock()).run(playbook, on: hosts(1))
        #expect(transport.calls.map(\.command.script) == ["quick", "slow"])
        #expect(report.hosts[0].status == .stopped)
        #expect(report.hosts[0].counts.unreachable == 0)
        #expect(report.hosts[0].message == "slow one: cancelled while the command ran")
        #expect(report.hosts[0].steps.map(\.outcome) == [.changed])
    }

    @Test func aRescueMarkedSafeRunsOutsideTheCancellationAndTheHostStaysStopped() async {
        let rescueSawCancellation = Locked<Bool?>(nil)
        let transport = ScriptedTransport { host, command in
            switch command.script {
            case "slow":
                try? await Task.sleep(for: .seconds(3600))
                return .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran"))
            case "repair":
                rescueSawCancellation.withLock { $0 = Task.isCancelled }
                return .exit(0)
            default:
                return .exit(0)
            }
        }
        let playbook = Playbook("p", steps: [
            Step("install", action: .shell("slow"), rescue: .shell("repair")).rescuingWhenInterrupted(),
            Step("never", action: .shell("never")),
        ])
        let run = Task { await PlaybookRunner(transport: transport, runLog: .discarding, options: Self.oneByOne, clock: RecordingClock()).run(playbook, on: hosts(1)) }
        #expect(await eventually { !transport.calls.isEmpty })
        run.cancel()
        let report = await run.value
        #expect(transport.calls.map(\.command.script) == ["slow", "repair"], "the rescue runs, no later step does")
        #expect(rescueSawCancellation.withLock { $0 } == false, "the rescue's command is not cancelled with the run")
        #expect(report.hosts[0].status == .stopped)
        #expect(report.hosts[0].message == "install: cancelled while the command ran; rescued")
    }

    @Test func aFailingRescueAfterAnInterruptionIsReported() async {
        let transport = ScriptedTransport { host, command in
            command.script == "slow"
                ? .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran"))
                : .exit(3, stderr: "dpkg is broken\n")
        }
        let playbook = Playbook("p", steps: [Step("install", action: .shell("slow"), rescue: .shell("repair")).rescuingWhenInterrupted()])
        let report = await PlaybookRunner(transport: transport, runLog: .discarding, options: Self.oneByOne, clock: RecordingClock()).run(playbook, on: hosts(1))
        #expect(transport.calls.map(\.command.script) == ["slow", "repair"])
        #expect(report.hosts[0].status == .stopped)
        #expect(report.hosts[0].message?.hasPrefix("install: cancelled while the command ran; rescue failed: ") == true)
    }

    @Test func hostsNotYetStartedAreReportedStopped() async throws {
        let started = Locked(0)
        let transport = ScriptedTransport { _, _ in
            started.withLock { $0 += 1 }
            try? await Task.sleep(for: .seconds(3600))
            return .exit(0)
        }
        let options = try RunOptions(forks: 1)
        let run = Task {
            await PlaybookRunner(transport: transport, runLog: .discarding, options: options, clock: RecordingClock())
                .run(Playbook("p", steps: [Step("wait", action: .shell("wait"))]), on: hosts(3))
        }
        #expect(await eventually { started.withLock { $0 } == 1 })
        run.cancel()
        let report = await run.value
        #expect(started.withLock { $0 } == 1, "no host starts after the cancellation")
        #expect(report.hosts.map(\.status) == [.succeeded, .stopped, .stopped])
        #expect(report.hosts[1].message == PlaybookRunner.cancelledReason)
        #expect(report.stopReason == PlaybookRunner.cancelledReason)
    }
}
