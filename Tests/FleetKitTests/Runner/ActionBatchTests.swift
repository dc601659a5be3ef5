import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit
import FleetKitTesting

/// Counts the commands a transport was given, and keeps their scripts.
private final class ScriptRecordingTransport: Transport {
    let inner: any Transport
    let scripts = Locked<[String]>([])
    init(_ inner: any Transport) { self.inner = inner }
    func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        scripts.withLock { $0.append(command.script) }
        return try await inner.run(command, on: host)
    }
}

/// Actions of consecutive steps sent together (ActionBatch): what a run reports and logs
/// is what it reports and logs one step at a time, run by this machine's `/bin/sh`.
@Suite(.tags(.unit)) struct ActionBatchTests {
    let host = RemoteHost(name: "local", address: "127.0.0.1")

    private func folder() throws -> String {
        let path = NSTemporaryDirectory() + "fk-batch-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func options(batched: Bool) -> RunOptions {
        var options = RunOptions()
        options.batchesActions = batched
        return options
    }

    /// A mix: an action whose output has no final newline, a later check an earlier action
    /// satisfies, a step without check, a verified one, a Swift step and a step skipped by its
    /// condition between batches, an action whose output passes its limit.
    private func mixedSteps(_ folder: String) -> [Step] {
        let path = { (name: String) in ShellQuote.quote(folder + "/" + name) }
        let touchFive = "touch \(path("five"))"
        let capped = "head -c 100 /dev/zero | tr '\\0' x; echo capped-err >&2; touch \(path("seven"))"
        return [
            Step.shell("first", check: "test -e \(path("one"))", action: "printf 'one\\nout'; printf 'err-one' >&2; touch \(path("one"))"),
            Step.shell("made by first", check: "test -e \(path("one"))", action: "echo should-not-run; touch \(path("bad"))"),
            Step.shell("no check", action: "echo three; cd /; n=changed; exit 0"),
            Step.shell("verified", check: "test -e \(path("four"))", action: "echo \"n=${n-unset}\"; touch \(path("four")); echo four >&2",
                       verify: "test -e \(path("four"))"),
            Step("swift", action: .swift { context in _ = try await context.run(touchFive) }),
            Step.shell("skipped", action: "touch \(path("bad2"))", when: { _ in false }),
            Step("capped", action: .hostCommand { _ in RemoteCommand(capped, outputLimit: 10) }),
            Step.shell("last", check: "test -e \(path("eight"))", action: "echo last; touch \(path("eight"))"),
        ]
    }

    /// A log line with the run's own folder, times and batch line taken out.
    private func comparable(_ entries: [LogEntry], folder: String) -> [String] {
        entries.filter { !$0.message.hasPrefix("sending the actions of") }.map { entry in
            var text = entry.message.replacingOccurrences(of: folder, with: "F")
            text = text.replacingOccurrences(of: #"\d+\.\d+ s"#, with: "T s", options: .regularExpression)
            return "\(entry.level) \(text)"
        }
    }

    private struct Run {
        var report: RunReport
        var log: [String]
        var commands: [String]
    }

    private func run(_ steps: (String) -> [Step], batched: Bool) async throws -> (Run, String) {
        let folder = try folder()
        let sink = MemoryLogSink()
        let transport = ScriptRecordingTransport(LocalTransport())
        let report = await PlaybookRunner(transport: transport, runLog: RunLog(sinks: [sink]), options: options(batched: batched))
            .run(Playbook("p", steps: steps(folder)), on: [host])
        return (Run(report: report, log: comparable(sink.entries, folder: folder), commands: transport.scripts.withLock { $0 }), folder)
    }

    private func summary(_ report: StepReport) -> String {
        let result = report.result.map { "\($0.exitStatus)|\($0.standardOutput)|\($0.standardError)|\($0.truncated)|\($0.timedOut)" } ?? "-"
        return "\(report.name): \(report.outcome) \(report.message ?? "") \(result)"
    }

    @Test func aBatchedRunReportsAndLogsWhatOneStepAtATimeDoes() async throws {
        let (oneByOne, sequentialFolder) = try await run(mixedSteps, batched: false)
        let (batched, batchedFolder) = try await run(mixedSteps, batched: true)
        defer {
            try? FileManager.default.removeItem(atPath: sequentialFolder)
            try? FileManager.default.removeItem(atPath: batchedFolder)
        }
        #expect(batched.report.hosts[0].steps.map(summary) == oneByOne.report.hosts[0].steps.map(summary))
        #expect(batched.log == oneByOne.log)
        #expect(batched.report.hosts[0].status == .succeeded)
        let steps = batched.report.hosts[0].steps
        #expect(steps.map(\.outcome) == [.changed, .ok, .changed, .changed, .changed, .skipped, .changed, .changed])
        #expect(steps[0].result?.standardOutput == "one\nout")
        #expect(steps[0].result?.standardError == "err-one")
        #expect(steps[3].result?.standardOutput == "n=unset\n", "an earlier action's variables stay in its subshell")
        #expect(steps[6].result?.standardOutput == "xxxxxxxxxx")
        #expect(steps[6].result?.standardError == "capped-err")
        #expect(steps[6].result?.truncated == true)
        #expect(!FileManager.default.fileExists(atPath: batchedFolder + "/bad"))
        #expect(FileManager.default.fileExists(atPath: batchedFolder + "/eight"))
        // The plan, one batch of four steps, the Swift step's command, one batch of two.
        #expect(batched.commands.count == 4, "\(batched.commands.count) commands")
        #expect(batched.commands.count < oneByOne.commands.count)
        #expect(batched.commands.filter { $0.hasPrefix(": fleetkit-batch ") }.count == 2)
    }

    @Test func aFailingActionStopsTheBatchAndNothingAfterItRuns() async throws {
        let steps = { (folder: String) -> [Step] in
            [
                Step.shell("before", action: "touch \(ShellQuote.quote(folder + "/before"))"),
                Step.shell("breaks", action: "echo partial; echo broken >&2; exit 3"),
                Step.shell("after", action: "touch \(ShellQuote.quote(folder + "/after"))"),
            ]
        }
        let (oneByOne, sequentialFolder) = try await run(steps, batched: false)
        let (batched, folder) = try await run(steps, batched: true)
        defer {
            try? FileManager.default.removeItem(atPath: sequentialFolder)
            try? FileManager.default.removeItem(atPath: folder)
        }
        #expect(batched.commands.count == 1)
        let host = batched.report.hosts[0]
        #expect(host.status == .failed)
        #expect(host.steps.map(\.outcome) == [.changed, .failed])
        #expect(host.steps[1].message == "exit 3: broken")
        #expect(host.steps[1].result?.standardOutput == "partial\n")
        #expect(host.message == "breaks: exit 3: broken")
        #expect(!FileManager.default.fileExists(atPath: folder + "/after"), "a step after the failure ran")
        #expect(FileManager.default.fileExists(atPath: folder + "/before"))
        #expect(host.steps.map(summary) == oneByOne.report.hosts[0].steps.map(summary))
        #expect(batched.log == oneByOne.log)
    }

    @Test func aStepWithASecretOnStandardInputIsNeverBatched() async throws {
        let fleet = FakeFleet()
        let secret = "hunter2-\(UUID().uuidString.prefix(6))"
        let playbook = Playbook("p", steps: [
            step("a"),
            Step("secret", action: .hostCommand { _ in RemoteCommand("make s", standardInput: Data(secret.utf8)) }),
            step("b"), step("c"),
        ])
        let report = await PlaybookRunner(transport: fleet.transport, runLog: .discarding, clock: RecordingClock()).run(playbook, on: hosts(1))
        #expect(report.hosts[0].steps.map(\.outcome) == [.changed, .changed, .changed, .changed])
        let calls = fleet.transport.calls
        #expect(calls.allSatisfy { !$0.command.script.contains(secret) })
        let withInput = calls.filter { $0.command.standardInput != nil }
        #expect(withInput.map(\.command.script) == ["make s"], "the secret's step is a command of its own")
        let batches = calls.filter { $0.command.script.hasPrefix(": fleetkit-batch ") }
        #expect(batches.count == 1)
        #expect(batches.first.map { $0.command.script.contains("make b") && $0.command.script.contains("make c") && !$0.command.script.contains("make s") } == true)
        #expect(calls.map(\.command.script).contains("make a"), "a batch of one is sent as it is")
        #expect(fleet.facts("web-1") == ["a", "s", "b", "c"])
    }

    @Test func aStepPastItsOwnLimitInsideABatchIsTheOneReportedTimedOut() async throws {
        let marker = "60.\(Int.random(in: 100_000_000...999_999_999))"
        let steps = { (folder: String) -> [Step] in
            [
                Step.shell("quick", action: "touch \(ShellQuote.quote(folder + "/quick"))"),
                Step.shell("slow", action: "echo started; sleep \(marker)", timeout: .seconds(1)),
                Step.shell("after", action: "touch \(ShellQuote.quote(folder + "/after"))"),
            ]
        }
        let (batched, folder) = try await run(steps, batched: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let host = batched.report.hosts[0]
        #expect(batched.commands.count == 1)
        #expect(host.status == .failed)
        #expect(host.steps.map(\.name) == ["quick", "slow"])
        #expect(host.steps.map(\.outcome) == [.changed, .failed])
        #expect(host.steps[1].result?.timedOut == true)
        #expect(host.steps[1].message?.hasPrefix("timed out after ") == true, "\(host.steps[1].message ?? "")")
        #expect(host.steps[1].result?.standardOutput == "started\n")
        #expect(!FileManager.default.fileExists(atPath: folder + "/after"))
        #expect(await eventually(within: .seconds(120)) { ProcessScan.live(containing: "sleep \(marker)").isEmpty })
    }

    @Test func cancellingMidBatchStopsTheRunningStepAndReportsTheOnesBefore() async throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let marker = "60.\(Int.random(in: 100_000_000...999_999_999))"
        let started = folder + "/started"
        let playbook = Playbook("p", steps: [
            Step.shell("quick", action: "touch \(ShellQuote.quote(folder + "/quick"))"),
            Step.shell("slow", action: "touch \(ShellQuote.quote(started)); sleep \(marker)"),
            Step.shell("after", action: "touch \(ShellQuote.quote(folder + "/after"))"),
        ])
        let transport = ScriptRecordingTransport(LocalTransport())
        let run = Task { [host] in
            await PlaybookRunner(transport: transport, runLog: .discarding).run(playbook, on: [host])
        }
        #expect(await eventually { FileManager.default.fileExists(atPath: started) }, "the batch never reached its second step")
        run.cancel()
        let report = await run.value
        #expect(transport.scripts.withLock { $0 }.count == 1)
        #expect(report.hosts[0].status == .stopped)
        #expect(report.hosts[0].interruptedStep == "slow")
        #expect(report.hosts[0].steps.map(\.name) == ["quick"])
        #expect(report.hosts[0].steps.map(\.outcome) == [.changed])
        #expect(report.hosts[0].message?.hasPrefix("slow: cancelled") == true, "\(report.hosts[0].message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: folder + "/after"))
        #expect(await eventually(within: .seconds(120)) { ProcessScan.live(containing: "sleep \(marker)").isEmpty })
    }

    @Test func theReaderAttributesBytesSplitAcrossChunks() {
        let batch = ActionBatch(items: [
            ActionBatch.Item(index: 0, check: nil, action: RemoteCommand("a", outputLimit: 4), verify: nil, checkTimeout: .seconds(5)),
            ActionBatch.Item(index: 1, check: "c", action: RemoteCommand("b"), verify: nil, checkTimeout: .seconds(5)),
        ], nonce: "fktest")
        let stream = "fktest 0 a\nhello worldfktest 0 a 0\nfktest 1 c\nfktest 1 c 1\nfktest 1 a\nfktest 9 a\nbyefktest 1 a 2\n"
        var reader = ActionBatchReader(batch)
        let bytes = Array(stream.utf8)
        for start in stride(from: 0, to: bytes.count, by: 3) {
            reader.feed(bytes[start..<min(bytes.count, start + 3)], at: .now)
        }
        reader.finish()
        #expect(reader.outputs[0].map { String(decoding: $0, as: UTF8.self) } == "hell")
        #expect(reader.truncated == [0])
        #expect(reader.outputs[1].map { String(decoding: $0, as: UTF8.self) } == "fktest 9 a\nbye", "a line for no item is output")
        #expect(reader.status(0, .action) == 0)
        #expect(reader.status(1, .check) == 1)
        #expect(reader.status(1, .action) == 2)
        #expect(reader.open == nil)
    }
}
