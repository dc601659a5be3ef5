import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit
import FleetKitTesting

@Suite(.tags(.unit)) struct PlaybookRunnerTests {
    let clock = RecordingClock()

    func runner(_ fleet: FakeFleet, _ options: RunOptions = RunOptions(), log: RunLog = .discarding) -> PlaybookRunner {
        PlaybookRunner(transport: fleet.transport, runLog: log, options: options, clock: clock)
    }

    @Test func convergedHostCostsOneRoundTrip() async {
        let fleet = FakeFleet()
        for host in hosts(3) { fleet.set(host.name, ["a", "b", "c"]) }
        let report = await runner(fleet).run(Playbook("p", steps: [step("a"), step("b"), step("c")]), on: hosts(3))
        #expect(report.succeeded)
        for host in hosts(3) {
            #expect(fleet.transport.calls(to: host.name).count == 1)
        }
        #expect(report.hosts.map(\.counts) == Array(repeating: { var c = StepCounts(); c.ok = 3; return c }(), count: 3))
    }

    @Test func actsFromTheFirstChangeAndRechecksLaterSteps() async throws {
        let fleet = FakeFleet()
        fleet.set("web-1", ["a", "c"])
        let oneByOne = try RunOptions(batchesActions: false)
        let report = await runner(fleet, oneByOne).run(Playbook("p", steps: [step("a"), step("b"), step("c")]), on: hosts(1))
        let scripts = fleet.transport.calls.map(\.command.script)
        #expect(scripts.count == 3)
        #expect(scripts[0].hasPrefix("fk_dir=$PWD\n"))   // the plan
        #expect(scripts[1] == "make b")           // a was already so (from the plan)
        #expect(scripts[2] == "is c")             // c re-checked after b changed
        #expect(report.hosts[0].steps.map(\.outcome) == [.ok, .changed, .ok])
        #expect(fleet.facts("web-1") == ["a", "b", "c"])

        // Batched: b's action and c's re-check go together, with the same outcome.
        let batchedFleet = FakeFleet()
        batchedFleet.set("web-1", ["a", "c"])
        let batched = await runner(batchedFleet).run(Playbook("p", steps: [step("a"), step("b"), step("c")]), on: hosts(1))
        let batchedScripts = batchedFleet.transport.calls.map(\.command.script)
        #expect(batchedScripts.count == 2)
        #expect(batchedScripts[1].hasPrefix(": fleetkit-batch "))
        #expect(batchedScripts[1].contains("make b") && batchedScripts[1].contains("is c") && !batchedScripts[1].contains("is b"))
        #expect(batched.hosts[0].steps.map(\.outcome) == [.ok, .changed, .ok])
        #expect(batched.hosts[0].steps[1].result?.standardOutput == "made b\n")
        #expect(batchedFleet.facts("web-1") == ["a", "b", "c"])
    }

    @Test func secondRunIsAllSkips() async {
        let fleet = FakeFleet()
        let playbook = Playbook("p", steps: [step("a"), step("b")])
        let first = await runner(fleet).run(playbook, on: hosts(2))
        #expect(first.hosts.allSatisfy { $0.counts.changed == 2 })
        let second = await runner(fleet).run(playbook, on: hosts(2))
        #expect(second.hosts.allSatisfy { $0.counts.ok == 2 && $0.counts.changed == 0 })
    }

    @Test func checkModeChangesNothing() async throws {
        let fleet = FakeFleet()
        fleet.set("web-1", ["a"])
        let report = await runner(fleet, try RunOptions(checkMode: true)).run(Playbook("p", steps: [step("a"), step("b")]), on: hosts(1))
        #expect(fleet.facts("web-1") == ["a"])
        #expect(report.checkMode)
        #expect(report.hosts[0].steps.map(\.outcome) == [.ok, .changed])
        #expect(report.hosts[0].steps[1].message == "would change")
        #expect(!fleet.transport.calls.contains { $0.command.script.hasPrefix("make") })
    }

    @Test func forceRunsActionsEvenWhenAlreadySo() async throws {
        let fleet = FakeFleet()
        fleet.set("web-1", ["a"])
        let report = await runner(fleet, try RunOptions(force: true)).run(Playbook("p", steps: [step("a")]), on: hosts(1))
        #expect(fleet.transport.calls.map(\.command.script) == ["make a"])
        #expect(report.hosts[0].counts.changed == 1)
    }

    @Test func failureStopsThatHostOnlyAndIsReported() async {
        let fleet = FakeFleet()
        let playbook = Playbook("p", steps: [step("a"), Step.shell("break", check: "is never", action: "fail"), step("z")])
        let badHost = RemoteHost(name: "web-2", address: "10.0.0.2")
        let report = await runner(fleet).run(playbook, on: [hosts(1)[0], badHost, RemoteHost(name: "web-3", address: "10.0.0.3")])
        #expect(report.hosts.map(\.status) == [.failed, .failed, .failed])
        #expect(report.hosts.allSatisfy { $0.counts.failed == 1 && $0.counts.changed == 1 })
        #expect(report.hosts[0].steps.last?.message?.contains("boom on web-1") == true)
        #expect(!fleet.facts("web-1").contains("z"))
        #expect(report.recapLines() == [
            "web-1 : ok=0 changed=1 skipped=0 failed=1 unreachable=0 rescued=0",
            "web-2 : ok=0 changed=1 skipped=0 failed=1 unreachable=0 rescued=0",
            "web-3 : ok=0 changed=1 skipped=0 failed=1 unreachable=0 rescued=0",
        ])
    }

    @Test func unreachableHostDoesNotStopTheOthers() async {
        let fleet = FakeFleet()
        fleet.unreachable.withLock { $0 = ["web-2"] }
        let report = await runner(fleet).run(Playbook("p", steps: [step("a")]), on: hosts(3))
        #expect(report.hosts.map(\.status) == [.succeeded, .unreachable, .succeeded])
        #expect(report.hosts[1].counts.unreachable == 1)
        #expect(report.hosts[1].message?.contains("Connection refused") == true)
        #expect(!report.succeeded)
    }

    @Test func retriesFailedActionsWithDelay() async {
        let fleet = FakeFleet()
        let flaky = Step("download", check: .shell("is d"), action: .shell("fail-until 3 d"), retries: 2, retryDelay: .seconds(5))
        let report = await runner(fleet).run(Playbook("p", steps: [flaky]), on: hosts(1))
        #expect(report.hosts[0].status == .succeeded)
        #expect(clock.sleeps.withLock { $0 } == [.seconds(5), .seconds(5)])
        let tooFew = Step("download", check: .shell("is e"), action: .shell("fail-until 9 e"), retries: 1)
        let failed = await runner(fleet).run(Playbook("p", steps: [tooFew]), on: hosts(1))
        #expect(failed.hosts[0].status == .failed)
    }

    @Test func rescueRunsAndStopsTheHostByDefault() async {
        let fleet = FakeFleet()
        let rescued = Step("install", check: .shell("is x"), action: .shell("fail"), rescue: .shell("make cleaned"))
        let report = await runner(fleet).run(Playbook("p", steps: [rescued, step("after")]), on: hosts(1))
        #expect(report.hosts[0].status == .failed)
        #expect(report.hosts[0].counts.rescued == 1)
        #expect(fleet.facts("web-1") == ["cleaned"])
        let continuing = Step("install", check: .shell("is y"), action: .shell("fail"), rescue: .shell("make cleaned2"), continuesAfterRescue: true)
        let second = await runner(fleet).run(Playbook("p", steps: [continuing, step("after")]), on: hosts(1))
        #expect(second.hosts[0].status == .succeeded)
        #expect(fleet.facts("web-1").contains("after"))
    }

    @Test func failedVerificationFailsTheStep() async {
        let fleet = FakeFleet()
        let lying = Step("service", check: .shell("is up"), action: .shell("make half"), verify: .shell("is up"))
        let report = await runner(fleet).run(Playbook("p", steps: [lying]), on: hosts(1))
        #expect(report.hosts[0].status == .failed)
        #expect(report.hosts[0].steps[0].message == "the action ran but verification still fails")
    }

    @Test func conditionSkipsPerHost() async {
        let fleet = FakeFleet()
        let onlyFirst = Step("only web-1", check: .shell("is a"), action: .shell("make a"), when: { $0.name == "web-1" })
        let report = await runner(fleet).run(Playbook("p", steps: [onlyFirst]), on: hosts(2))
        #expect(report.hosts[0].counts.changed == 1)
        #expect(report.hosts[1].counts.skipped == 1)
        #expect(fleet.transport.calls(to: "web-2").isEmpty)
    }

    @Test func forksLimitParallelHosts() async throws {
        let fleet = FakeFleet(delay: .milliseconds(20))
        let report = await runner(fleet, try RunOptions(forks: 3)).run(Playbook("p", steps: [step("a")]), on: hosts(10))
        #expect(report.succeeded)
        let peak = fleet.concurrent.withLock { $0.max }
        #expect(peak <= 3)
        #expect(peak >= 2)
    }

    @Test func maxFailPercentageStopsLaterBatches() async throws {
        let fleet = FakeFleet()
        fleet.unreachable.withLock { $0 = ["web-1", "web-2"] }
        let options = try RunOptions(serial: 2, maxFailPercentage: 40)
        let report = await runner(fleet, options).run(Playbook("p", steps: [step("a")]), on: hosts(5))
        #expect(report.hosts.map(\.status) == [.unreachable, .unreachable, .stopped, .stopped, .stopped])
        #expect(report.stopReason?.contains("maxFailPercentage") == true)
        #expect(fleet.transport.calls(to: "web-3").isEmpty)
    }

    @Test func maxFailPercentageAfterTheLastBatchStopsNothing() async throws {
        let fleet = FakeFleet()
        fleet.unreachable.withLock { $0 = ["web-2"] }
        let report = await runner(fleet, try RunOptions(maxFailPercentage: 10)).run(Playbook("p", steps: [step("a")]), on: hosts(3))
        #expect(report.hosts.map(\.status) == [.succeeded, .unreachable, .succeeded])
        #expect(report.stopReason == nil)
    }

    @Test func anyErrorsFatalStopsOtherHostsBetweenSteps() async throws {
        let fleet = FakeFleet(delay: .milliseconds(30))
        let playbook = Playbook("p", steps: [
            Step("first", action: .hostCommand { host in RemoteCommand(host.name == "web-1" ? "fail" : "make one") }),
            step("two"), step("three"), step("four"),
        ])
        let report = await runner(fleet, try RunOptions(forks: 1, anyErrorsFatal: true)).run(playbook, on: hosts(3))
        #expect(report.hosts[0].status == .failed)
        #expect(report.hosts[1].status == .stopped)
        #expect(report.hosts[2].status == .stopped)
        #expect(!fleet.facts("web-2").contains("one"))
    }

    @Test func planWithARealShellHandlesExitAndSyntaxErrors() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fk-plan-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let done = folder.appendingPathComponent("done").path
        #expect(FileManager.default.createFile(atPath: done, contents: nil))
        let host = RemoteHost(name: "local", address: "127.0.0.1")
        let steps = [
            Step.shell("exits early", check: "exit 0; false", action: "false"),
            Step.shell("already there", check: "test -e \(done)", action: "false"),
            Step.shell("missing", check: "test -e \(done)-not", action: "touch \(done)-not"),
        ]
        let plain = await PlaybookRunner(transport: LocalTransport(), runLog: .discarding).run(Playbook("p", steps: steps), on: [host])
        #expect(plain.hosts[0].steps.map(\.outcome) == [.ok, .ok, .changed])
        // A check that does not even parse spoils the batched script: every check then runs on its own.
        let sink = MemoryLogSink()
        let broken = [Step.shell("broken check", check: "if then fi (", action: "true")] + steps
        let report = await PlaybookRunner(transport: LocalTransport(), runLog: RunLog(sinks: [sink])).run(Playbook("p", steps: broken), on: [host])
        #expect(report.hosts[0].steps.map(\.outcome) == [.changed, .ok, .ok, .ok])
        #expect(sink.entries.contains { $0.level == .warn && $0.message.contains("checks answered") })
    }

    @Test func swiftStepsSeeTheHostAndShareFacts() async {
        let fleet = FakeFleet()
        let capture = Step("capture", action: .swift { context in
            let result = try await context.run("echo \(context.host.name)-value")
            context.facts["captured"] = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        })
        let use = Step("use", check: .swift { context in context.facts["captured"] == "web-1-value" }, action: .swift { _ in
            throw StepFailure("the fact did not arrive")
        })
        let report = await runner(fleet).run(Playbook("p", steps: [capture, use]), on: hosts(1))
        #expect(report.hosts[0].steps.map(\.outcome) == [.changed, .ok])
    }

    @Test func secretsAreMaskedInEveryLine() async {
        let fleet = FakeFleet()
        let sink = MemoryLogSink()
        let log = RunLog(sinks: [sink])
        var host = RemoteHost(name: "web-1", address: "10.0.0.1")
        host.secretVariables["private_key"] = Secret("0x" + String(repeating: "ab", count: 32))
        let leak = Step("leak", action: .hostCommand { host in RemoteCommand("echo key=\(host.secretVariables["private_key"]?.revealed ?? "")") })
        _ = await runner(fleet, log: log).run(Playbook("p", steps: [leak]), on: [host])
        let text = sink.entries.map(\.message).joined(separator: "\n")
        #expect(text.contains("key=***"))
        #expect(!text.contains("abababab"))
    }
}
