import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit
import FleetKitTesting

/// What a cancelled run reports and logs: hosts done, stopped in flight (at which step),
/// not started; stages not run.
@Suite(.tags(.unit)) struct InterruptedRunReportTests {
    /// `hold` commands wait until cancelled and then fail as the OpenSSH transport does;
    /// the others succeed at once.
    static func holdingTransport(started: Locked<Int>) -> ScriptedTransport {
        ScriptedTransport { host, command in
            guard command.script == "hold" else { return .exit(0) }
            started.withLock { $0 += 1 }
            try? await Task.sleep(for: .seconds(3600))
            return .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran"))
        }
    }

    @Test func aCancelledRunSaysWhatWasDoneStoppedInFlightAndNotStarted() async throws {
        let started = Locked(0)
        let transport = Self.holdingTransport(started: started)
        let playbook = Playbook("p", steps: [
            Step("first", action: .shell("quick")),
            Step("second", action: .shell("quick"), when: { $0.name == "web-1" }),
            Step("hold", action: .shell("hold"), when: { $0.name != "web-1" }),
        ])
        let options = try RunOptions(forks: 1)
        let run = Task { await PlaybookRunner(transport: transport, runLog: .discarding, options: options, clock: RecordingClock()).run(playbook, on: hosts(3)) }
        #expect(await eventually { started.withLock { $0 } == 1 })
        run.cancel()
        let report = await run.value
        #expect(report.hosts.map(\.status) == [.succeeded, .stopped, .stopped])
        #expect(report.hosts[1].interruptedStep == "hold")
        #expect(report.hosts[2].interruptedStep == nil)
        #expect(report.progressLines() == ["done: web-1 (succeeded)", "stopped in flight: web-2 during 'hold'", "not started: web-3"])
        // Between steps: the step before is named.
        var between = report
        between.hosts[1].interruptedStep = nil
        #expect(between.progressLines()[1] == "stopped in flight: web-2 after 'second'", "the last step it reached (skipped here)")
    }

    @Test func aCancelledStagedRunStartsNoLaterStageAndDoesNotReconnect() async throws {
        let started = Locked(0)
        let transport = Self.holdingTransport(started: started)
        let stages = [
            Stage("first", playbook: Playbook("first", steps: [Step("hold", action: .shell("hold"))]), reconnectsAfter: true),
            Stage("second", playbook: Playbook("second", steps: [Step("b", action: .shell("quick"))])),
            Stage("third", playbook: Playbook("third", steps: [Step("c", action: .shell("quick"))])),
        ]
        let sink = MemoryLogSink()
        let run = Task { await StagedRun(transport: transport, runLog: RunLog(sinks: [sink]), options: RunOptions()).run(stages, on: hosts(2)) }
        #expect(await eventually { started.withLock { $0 } == 2 })
        run.cancel()
        let report = await run.value
        #expect(report.stages.map(\.stage) == ["first"])
        #expect(report.stagesNotRun == ["second", "third"])
        #expect(transport.closeCount == 0, "no reconnect after a cancelled stage")
        #expect(report.progressLines() == ["stage first: done: none", "stage first: stopped in flight: web-1 during 'hold', web-2 during 'hold'",
                                           "stage first: not started: none", "stages not run: second, third"])
        #expect(sink.entries.contains { $0.message == "stages not run: second, third: the run was cancelled" })
    }

    @Test func aSessionLogsInterruptedWithTheProgressOfACancelledJob() async throws {
        struct Holding: FleetJob {
            func run(in session: FleetSession) async throws -> RunReport {
                await PlaybookRunner(transport: session.transport, runLog: session.runLog, clock: RecordingClock())
                    .run(Playbook("p", steps: [Step("hold", action: .shell("hold"))]), on: session.inventory.hosts)
            }
        }
        let started = Locked(0)
        let sink = MemoryLogSink()
        let configuration = FleetSession.Configuration(inventory: .hosts(hosts(2)), log: .log(RunLog(sinks: [sink])),
                                                       transport: Self.holdingTransport(started: started))
        let work = Task { try await FleetSession.with(configuration) { session in try await session.run(Holding()) } }
        #expect(await eventually { started.withLock { $0 } == 2 })
        work.cancel()
        _ = try await work.value
        let interrupted = sink.entries.filter { $0.message.hasPrefix("interrupted: ") }
        #expect(interrupted.map(\.message) == ["interrupted: done: none; stopped in flight: web-1 during 'hold', web-2 during 'hold'; not started: none"])
        #expect(interrupted.first?.level == .error)

        // A job that was not cancelled logs no such line.
        let quiet = MemoryLogSink()
        _ = try await FleetSession.with(FleetSession.Configuration(inventory: .hosts(hosts(1)), log: .log(RunLog(sinks: [quiet])),
                                                                   transport: ScriptedTransport { _, _ in .exit(0) })) { session in
            try await session.run(Holding())
        }
        #expect(!quiet.entries.contains { $0.message.hasPrefix("interrupted") })
    }
}
