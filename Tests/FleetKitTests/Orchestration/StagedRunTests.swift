import FleetTestSupport
import Foundation
@testable import FleetKit
import FleetKitTesting
import Testing

@Suite(.tags(.unit)) struct StagedRunTests {
    let stages = [
        Stage("first", playbook: Playbook("first", steps: [step("a")]), reconnectsAfter: true),
        Stage("second", playbook: Playbook("second", steps: [step("b")])),
    ]

    @Test func onlyHostsThatPassedAStageGoOnAndUnreachableOnesAreListed() async throws {
        let fleet = FakeFleet()
        let failing = Step.shell("breaks on web-2", check: "is never", action: "fail", when: { $0.name == "web-2" })
        let stages = [Stage("first", playbook: Playbook("first", steps: [step("a"), failing])), self.stages[1]]
        let missing = UnreachableHost(host: "web-9", address: "10.0.0.9", reason: "Connection refused")
        let report = await StagedRun(transport: fleet.transport, runLog: .discarding, options: try RunOptions(forks: 2))
            .run(stages, on: hosts(3), unreachable: [missing])
        #expect(report.stages.map(\.stage) == ["first", "second"])
        #expect(report.stages[1].report.hosts.map(\.host) == ["web-1", "web-3"])
        #expect(report.hostNames == ["web-1", "web-2", "web-3", "web-9"])
        #expect(!report.succeeded)
        let recap = report.recapLines()
        #expect(recap.contains("web-2 : failed in first: breaks on web-2: exit 3: boom on web-2"))
        #expect(recap.contains("web-9 : unreachable: Connection refused"))
        #expect(recap.contains("web-1 : ok"))
        let json = try JSONDecoder().decode(StagedRunReport.self, from: JSONEncoder().encode(report))
        #expect(json.unreachable == [missing])
    }

    @Test func reconnectsAfterAStageThatAsksButNotInCheckMode() async throws {
        let fleet = FakeFleet()
        _ = await StagedRun(transport: fleet.transport, runLog: .discarding, options: RunOptions()).run(stages, on: hosts(2))
        #expect(fleet.transport.closeCount == 1)
        let checking = FakeFleet()
        _ = await StagedRun(transport: checking.transport, runLog: .discarding, options: try RunOptions(checkMode: true))
            .run(stages, on: hosts(2))
        #expect(checking.transport.closeCount == 0)
    }

    @Test func eachStageWritesItsOwnLogFile() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fk-stages-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let main = MemoryLogSink()
        let runLog = RunLog(sinks: [main])
        let secret = "0x" + String(repeating: "5f", count: 32)
        runLog.addSecrets([secret])
        let leaking = Stage("second stage", playbook: Playbook("second", steps: [Step.shell("say", action: "echo \(secret)")]))
        _ = await StagedRun(transport: FakeFleet().transport, runLog: runLog, options: RunOptions(), stageLogDirectory: folder,
                            stageLogLevels: LogLevel.fileLevels(verbose: true))
            .run([stages[0], leaking], on: hosts(1))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.count == 2)
        #expect(files.contains { $0.range(of: #"^first_\d{8}_\d{6}\.log$"#, options: .regularExpression) != nil })
        let second = try #require(files.first { $0.hasPrefix("second_stage_") })
        let text = try String(contentsOf: folder.appendingPathComponent(second), encoding: .utf8)
        #expect(text.contains("[OUTPUT] [web-1] ***"))
        #expect(!text.contains("5f5f5f5f"))
        #expect(!text.contains("ensure a"), "a stage's file holds only that stage")
        #expect(main.entries.contains { $0.message.hasPrefix("stage second stage log: ") })
    }

    @Test func auditLinesHonourForks() async throws {
        let fleet = FakeFleet(delay: .milliseconds(20))
        _ = await StagedRun(transport: fleet.transport, runLog: .discarding, options: try RunOptions(forks: 3),
                            audit: ServerAuditLog(path: ".fleet/audit.log"))
            .run([stages[1]], on: hosts(12))
        let audits = fleet.transport.calls.filter { $0.command.script.hasSuffix("cat >> .fleet/audit.log") }
        #expect(audits.count == 12)
        #expect(fleet.concurrent.withLock { $0.max } <= 3)
        let line = String(decoding: try #require(audits.first?.command.standardInput), as: UTF8.self)
        #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ stage=second step="ensure b" outcome=changed\n$"#, options: .regularExpression) != nil)
    }
}

@Suite(.tags(.unit)) struct PreflightTests {
    @Test func everyLocalProblemAtOnce() {
        let hosts = [RemoteHost(name: "a", address: "10.0.0.1", identityFile: "/nonexistent/key-a"),
                     RemoteHost(name: "b", address: "10.0.0.2"), RemoteHost(name: "c", address: "10.0.0.3")]
        let problems = Preflight(sshPath: "/nonexistent/ssh", requiredTools: ["definitely-not-a-tool", "sh"], searchPath: ["/bin", "/usr/bin"])
            .localProblems(hosts: hosts, defaultIdentityFile: "/nonexistent/default-key")
        #expect(problems == [
            "the ssh client /nonexistent/ssh is missing or not executable; install openssh-client",
            "the program 'definitely-not-a-tool' is not installed or not executable (looked in /bin:/usr/bin)",
            "the SSH key file /nonexistent/default-key (for 2 hosts) cannot be read; check the path and its permissions",
            "the SSH key file /nonexistent/key-a (for host a) cannot be read; check the path and its permissions",
        ])
    }

    @Test func unreachableHostsAreListedAndTheRestGoOn() async {
        let fleet = FakeFleet()
        fleet.unreachable.withLock { $0 = ["web-2"] }
        let sink = MemoryLogSink()
        let outcome = await Preflight(sshPath: "/bin/sh").run(hosts(3), transport: fleet.transport, defaultIdentityFile: nil,
                                                             forks: 2, runLog: RunLog(sinks: [sink]))
        #expect(outcome.localProblems.isEmpty)
        #expect(outcome.reachable.map(\.name) == ["web-1", "web-3"])
        #expect(outcome.unreachable.map(\.host) == ["web-2"])
        #expect(!outcome.isClean)
        #expect(sink.entries.contains { $0.level == .info && $0.message == "connectivity test of 3 hosts" })
    }

    @Test func noHostIsContactedWithoutAnSSHClient() async {
        let fleet = FakeFleet()
        let outcome = await Preflight(sshPath: "/nonexistent/ssh").run(hosts(2), transport: fleet.transport, defaultIdentityFile: nil,
                                                                     forks: 2, runLog: .discarding)
        #expect(outcome.localProblems.count == 1 && outcome.reachable.isEmpty && fleet.transport.calls.isEmpty)
    }
}

@Suite(.tags(.unit)) struct ConcurrentlyTests {
    @Test func keepsOrderAndLimit() async {
        let running = Locked((now: 0, max: 0))
        let results = await Concurrently.map(Array(1...30), limit: 4) { item in
            running.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
            try? await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
            running.withLock { $0.now -= 1 }
            return item * 2
        }
        #expect(results == (1...30).map { $0 * 2 })
        #expect(running.withLock { $0.max } <= 4)
        #expect(await Concurrently.map([1, 2, 3], limit: 0) { $0 } == [1, 2, 3], "a limit below 1 still runs everything")
    }
}

@Suite(.tags(.unit)) struct RunOptionsTests {
    @Test func valuesThatCannotWorkAreRefused() {
        #expect(throws: RunOptionsError.self) { try RunOptions(forks: 0) }
        #expect(throws: RunOptionsError.self) { try RunOptions(forks: -3) }
        #expect(throws: RunOptionsError.self) { try RunOptions(serial: 0) }
        #expect(throws: RunOptionsError.self) { try RunOptions(maxFailPercentage: 101) }
        #expect(throws: RunOptionsError.self) { try RunOptions(maxFailPercentage: -1) }
        #expect(throws: RunOptionsError.self) { try RunOptions(defaultTimeout: .zero) }
        do {
            _ = try RunOptions(serial: 0)
        } catch {
            #expect(error.description == "RunOptions.serial is 0; expected batches of 1 or more hosts, or none")
        }
    }

    @Test func serialBatchesOfOneFinish() async throws {
        let fleet = FakeFleet()
        let report = await PlaybookRunner(transport: fleet.transport, runLog: .discarding, options: try RunOptions(forks: 5, serial: 1))
            .run(Playbook("p", steps: [step("a")]), on: hosts(4))
        #expect(report.hosts.map(\.status) == Array(repeating: .succeeded, count: 4))
        #expect(fleet.concurrent.withLock { $0.max } == 1)
    }
}

@Suite(.tags(.unit)) struct ObservingStepTests {
    @Test func aFindingIsTheStepsOneLine() async throws {
        let sink = MemoryLogSink()
        let observe = Step.observe("clock") { context in
            context.host.name == "web-1" ? .warning("not synchronised") : .fine("synchronised")
        }
        for options in [RunOptions(), try RunOptions(checkMode: true), try RunOptions(force: true)] {
            let report = await PlaybookRunner(transport: FakeFleet().transport, runLog: RunLog(sinks: [sink]), options: options)
                .run(Playbook("p", steps: [observe]), on: hosts(2))
            #expect(report.hosts.allSatisfy { $0.status == .succeeded && $0.counts.ok == 1 && $0.counts.changed == 0 })
        }
        let web1 = sink.entries.filter { $0.host == "web-1" && $0.level != .check }
        #expect(web1.allSatisfy { $0.level == .warn && $0.message == "clock: not synchronised" })
        #expect(!sink.entries.contains { $0.level == .skip || $0.level == .exec })
        #expect(sink.entries.contains { $0.host == "web-2" && $0.level == .ok && $0.message == "clock: synchronised" })
    }

    @Test func debugLinesShowEachCommand() async {
        let sink = MemoryLogSink()
        _ = await PlaybookRunner(transport: FakeFleet().transport, runLog: RunLog(sinks: [sink]), options: RunOptions())
            .run(Playbook("p", steps: [step("a")]), on: hosts(1))
        let debug = sink.entries.filter { $0.level == .debug }.map(\.message)
        #expect(debug.contains("check 'ensure a': is a → exit 1"))
        #expect(debug.contains("ensure a: sh -c make a"))
        #expect(debug.contains { $0.hasPrefix("ensure a: exit 0 in ") })
    }
}
