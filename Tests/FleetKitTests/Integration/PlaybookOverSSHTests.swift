import Foundation
import Testing
import FleetTestSupport
@testable import FleetKit

/// Counts the commands a transport carries, per host.
final class CountingTransport: Transport {
    let inner: any Transport
    let counts = Locked<[String: Int]>([:])
    init(_ inner: any Transport) { self.inner = inner }
    func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        counts.withLock { $0[host.name, default: 0] += 1 }
        return try await inner.run(command, on: host)
    }
    func close() async { await inner.close() }
}

@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(4))
struct PlaybookOverSSHTests {
    static let twentySteps: [Step] = (1...20).map { index in
        .shell("step \(index)", check: "test -f ~/state/step\(index)", action: "mkdir -p ~/state && echo \(index) > ~/state/step\(index)")
    }

    @Test func idempotentPlaybookSecondRunIsAllSkipsWithOneHandshakeAndOneRoundTrip() async throws {
        let sandbox = try currentSandbox()
        let hosts = Array(sandbox.hosts.prefix(3))
        let playbook = Playbook("converge", steps: Self.twentySteps)
        let control = URL(fileURLWithPath: "/tmp/fkt-cv\(UInt16.random(in: 0 ... .max))")

        let firstTransport = CountingTransport(try sandbox.transport(controlDirectory: control))
        let loginsBefore = try (1...3).map { try sandbox.acceptedLogins($0) }
        let first = await PlaybookRunner(transport: firstTransport, runLog: .discarding).run(playbook, on: hosts)
        let loginsAfterFirst = try (1...3).map { try sandbox.acceptedLogins($0) }
        #expect(first.succeeded)
        #expect(first.hosts.allSatisfy { $0.counts.changed == 20 && $0.counts.ok == 0 })
        #expect(zip(loginsBefore, loginsAfterFirst).allSatisfy { $1 - $0 == 1 }, "one SSH handshake per host per run")

        let sink = MemoryLogSink()
        let secondTransport = CountingTransport(try sandbox.transport(controlDirectory: control))
        let second = await PlaybookRunner(transport: secondTransport, runLog: RunLog(sinks: [sink])).run(playbook, on: hosts)
        #expect(second.hosts.allSatisfy { $0.counts.ok == 20 && $0.counts.changed == 0 })
        #expect(secondTransport.counts.withLock { $0 } == ["h1": 1, "h2": 1, "h3": 1], "a converged host costs one round trip")
        #expect(try (1...3).map { try sandbox.acceptedLogins($0) } == loginsAfterFirst, "the re-run reuses the persisted masters")
        #expect(sink.entries.filter { $0.level == .skip }.count == 60)
        #expect(second.recapLines().first == "h1 : ok=20 changed=0 skipped=0 failed=0 unreachable=0 rescued=0")
        await secondTransport.close()
    }

    @Test func stepsThatAllChangeGoInOneBatchAndReportWhatOneAtATimeReports() async throws {
        let sandbox = try currentSandbox()
        let host = sandbox.hosts[0]
        let folder = "batch-\(UInt32.random(in: 0 ... .max))"
        let steps: [Step] = (1...6).map { index in
            .shell("step \(index)", check: "test -f ~/\(folder)/s\(index)",
                   action: "mkdir -p ~/\(folder) && echo out\(index) && printf 'err\(index)' >&2 && touch ~/\(folder)/s\(index)")
        } + [.shell("breaks", action: "echo partial; exit 4"), .shell("never", action: "touch ~/\(folder)/never")]
        func summary(_ step: StepReport) -> String {
            "\(step.name) \(step.outcome) \(step.message ?? "") \(step.result.map { "\($0.exitStatus)|\($0.standardOutput)|\($0.standardError)" } ?? "-")"
        }
        var reports: [RunReport] = []
        var counts: [Int] = []
        for batched in [true, false] {
            let transport = CountingTransport(try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-ab\(UInt16.random(in: 0 ... .max))")))
            var options = RunOptions()
            options.batchesActions = batched
            reports.append(await PlaybookRunner(transport: transport, runLog: .discarding, options: options).run(Playbook("batch", steps: steps), on: [host]))
            counts.append(transport.counts.withLock { $0[host.name] ?? 0 })
            let never = try await transport.run(RemoteCommand("test -e ~/\(folder)/never; s=$?; rm -rf ~/\(folder); exit $s"), on: host)
            #expect(never.exitStatus == 1, "a step after the failure ran")
            await transport.close()
        }
        #expect(reports[0].hosts[0].steps.map(summary) == reports[1].hosts[0].steps.map(summary))
        #expect(reports[0].hosts[0].steps.map(\.outcome) == Array(repeating: .changed, count: 6) + [.failed])
        #expect(reports[0].hosts[0].steps[2].result?.standardOutput == "out3\n")
        #expect(reports[0].hosts[0].steps[2].result?.standardError == "err3")
        #expect(reports[0].hosts[0].steps[6].message == "exit 4: partial")
        #expect(counts == [2, 13], "the plan and one batch, against the plan, 7 actions and 5 re-checks")
    }

    @Test func oneHostDownIsReportedUnreachableWhileOthersFinish() async throws {
        let sandbox = try currentSandbox()
        try await sandbox.stopHost(4)
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-dn\(UInt16.random(in: 0 ... .max))"))
        let playbook = Playbook("down", steps: [.shell("marker", check: "test -f ~/down-marker", action: "touch ~/down-marker")])
        let report = await PlaybookRunner(transport: transport, runLog: .discarding).run(playbook, on: sandbox.hosts)
        try await sandbox.startHost(4)
        #expect(report.hosts.map(\.status) == [.succeeded, .succeeded, .succeeded, .unreachable])
        #expect(report.hosts[3].counts.unreachable == 1)
        #expect(report.hosts[3].message?.contains("Connection refused") == true)
        #expect(!report.succeeded)
        await transport.close()
    }

    @Test func hostileInventoryValuesCannotInjectCommands() async throws {
        let sandbox = try currentSandbox()
        let canary = "/tmp/fleetkit-injected-\(UInt32.random(in: 0 ... .max))"
        let hostile = [
            "$(touch \(canary))", "`touch \(canary)`", "x; touch \(canary)", "a'b\"c", "| touch \(canary)", "line1\nline2", "ünï ✓",
        ]
        func cell(_ value: String) -> String { "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        // Three hosts, three hostile columns each.
        var csv = "name,ip,user,a,b,c\n"
        for (index, host) in sandbox.hosts.prefix(3).enumerated() {
            let values = (0..<3).map { hostile[(index * 3 + $0) % hostile.count] }
            csv += "\(host.name),\(host.address),fleettest," + values.map(cell).joined(separator: ",") + "\n"
        }
        let inventory = try InventoryLoader.parse(csv, file: "hostile.csv")
        let transport = try sandbox.transport()
        let step = Step("write labels", action: .hostCommand { host in
            RemoteCommand(["a", "b", "c"].map { column in
                "printf '%s' \(ShellQuote.quote(host.variables[column] ?? "")) > ~/label-\(column)"
            }.joined(separator: " && "))
        })
        let report = await PlaybookRunner(transport: transport, runLog: .discarding).run(Playbook("labels", steps: [step]), on: inventory.hosts)
        #expect(report.succeeded)
        for (index, host) in sandbox.hosts.prefix(3).enumerated() {
            for (offset, column) in ["a", "b", "c"].enumerated() {
                let read = try await transport.run(RemoteCommand("cat ~/label-\(column)"), on: host)
                #expect(read.standardOutput == hostile[(index * 3 + offset) % hostile.count])
            }
        }
        #expect(!FileManager.default.fileExists(atPath: canary))
        await transport.close()
    }

    @Test func secretsNeverReachTheLogFileOrAnyCommandLine() async throws {
        let sandbox = try currentSandbox()
        let privateKey = "0x" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0 ... .max)) }.joined()
        let csv = "name,ip,user,private_key\n" + sandbox.hosts.prefix(3).map { "\($0.name),\($0.address),fleettest,\(privateKey)" }.joined(separator: "\n") + "\n"
        let inventory = try InventoryLoader.parse(csv, file: "secret.csv")
        let logFolder = sandbox.directory.appendingPathComponent("logs")
        let logURL = try RunLogFile.newURL(in: logFolder, name: "secret", date: Date())
        let runLog = RunLog(sinks: [try FileLogSink(url: logURL)])
        runLog.addSecrets(inventory.secretValues)
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-sc\(UInt16.random(in: 0 ... .max))"))
        let playbook = Playbook("secret", steps: [
            Step("write the key file", check: .shell("test -s ~/node/.env"), action: .hostCommand { host in
                RemoteCommand(UploadScript.make(path: "node/.env", mode: 0o600),
                              standardInput: Data("VALIDATOR_PRIVATE_KEY=\(host.secretVariables["private_key"]?.revealed ?? "")\n".utf8))
            }),
            // A step that prints the secret: the log must still not contain it.
            .shell("show the key file", action: "cat ~/node/.env; sleep 0.3"),
        ])

        let seen = Locked<[String]>([])
        let watcher = Task {
            while !Task.isCancelled {
                let leaked = ProcessScan.live(containing: String(privateKey.dropFirst(2)))
                if !leaked.isEmpty { seen.withLock { $0 += leaked } }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let report = await PlaybookRunner(transport: transport, runLog: runLog).run(playbook, on: inventory.hosts)
        watcher.cancel()
        _ = await watcher.value
        #expect(report.succeeded)
        #expect(seen.withLock { $0 }.isEmpty, "a secret appeared in a process command line")
        let logText = try String(contentsOf: logURL, encoding: .utf8)
        #expect(logText.contains("VALIDATOR_PRIVATE_KEY=***"))
        #expect(!logText.contains(String(privateKey.dropFirst(2))))
        let mode = try await transport.run(RemoteCommand("stat -c %a node/.env"), on: sandbox.hosts[0])
        #expect(mode.standardOutput == "600\n")
        await transport.close()
    }
}
