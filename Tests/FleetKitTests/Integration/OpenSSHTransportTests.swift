import Foundation
import Testing
import FleetTestSupport
import FleetKitTesting
@testable import FleetKit

@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(4))
struct OpenSSHTransportTests {
    @Test func runsCommandsAndReportsExitStatus() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport()
        defer { Task { await transport.close() } }
        let ok = try await transport.run(RemoteCommand("echo hello from $SANDBOX_HOST; echo oops >&2"), on: sandbox.hosts[0])
        #expect(ok.exitStatus == 0)
        #expect(ok.standardOutput == "hello from h1\n")
        #expect(ok.standardError == "oops\n")
        let failed = try await transport.run(RemoteCommand("exit 7"), on: sandbox.hosts[1])
        #expect(failed.exitStatus == 7)
        #expect(!failed.succeeded)
    }

    @Test func standardInputReachesTheCommand() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport()
        let payload = Data((0..<200_000).map { UInt8($0 % 251) })
        let result = try await transport.run(RemoteCommand("wc -c", standardInput: payload), on: sandbox.hosts[0])
        #expect(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "200000")
        await transport.close()
    }

    @Test func uploadLandsAtomicallyWithMode0600() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport()
        let content = Data("VALIDATOR_PRIVATE_KEY=not-a-real-key\n".utf8)
        let upload = try await transport.upload(content, to: "node/.env", mode: 0o600, on: sandbox.hosts[2])
        #expect(upload.succeeded, "\(upload.standardError)")
        let second = try await transport.upload(content, to: "node/.env", mode: 0o600, on: sandbox.hosts[2])
        #expect(second.succeeded, "\(second.standardError)")
        let stat = try await transport.run(RemoteCommand("stat -c '%a %U' node/.env; cat node/.env; ls -A node"), on: sandbox.hosts[2])
        #expect(stat.standardOutput == "600 fleettest\nVALIDATOR_PRIVATE_KEY=not-a-real-key\n.env\n")
        await transport.close()
    }

    @Test func hangingCommandIsStoppedOnTheHostToo() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport()
        let marker = "4\(Int.random(in: 100_000...999_999))"
        let started = ContinuousClock.now
        let result = try await transport.run(RemoteCommand("sleep \(marker)", timeout: .seconds(2)), on: sandbox.hosts[0])
        let elapsed = ContinuousClock.now - started
        #expect(result.timedOut)
        #expect(elapsed < .seconds(60), "the command sleeps for days")
        // Same machine, no PID namespace: the "remote" process would be visible here.
        let left = try await ProcessRunner.run(ProcessRequest(executable: "/usr/bin/pgrep", arguments: ["-f", "sleep \(marker)"]))
        #expect(left.status == 1, "remote process still running: \(String(decoding: left.standardOutput, as: UTF8.self))")
        await transport.close()
    }

    @Test func changedHostKeyIsRefusedWithAClearMessage() async throws {
        let sandbox = try currentSandbox()
        let host = sandbox.hosts[3]
        // Record another server's key under this host's address: to ssh the key has changed.
        let otherKey = try String(contentsOf: sandbox.hostDirectory(1).appendingPathComponent("host_key.pub"), encoding: .utf8)
        let fields = otherKey.split(separator: " ")
        let knownHosts = sandbox.directory.appendingPathComponent("known_hosts_changed")
        try "\(host.address) \(fields[0]) \(fields[1])\n".write(to: knownHosts, atomically: true, encoding: .utf8)
        let transport = try sandbox.transport(knownHosts: "known_hosts_changed",
                                              controlDirectory: URL(fileURLWithPath: "/tmp/fkt-hk\(UInt16.random(in: 0 ... .max))"))
        do {
            _ = try await transport.run(RemoteCommand("true"), on: host)
            Issue.record("connected despite a changed host key")
        } catch {
            #expect(error.kind == .hostKeyChanged)
            #expect(error.message.contains("has changed"))
            #expect(error.message.contains("ssh-keygen -R"))
            #expect(error.message.contains(knownHosts.path))
        }
    }

    /// The slow host waits until both fast hosts have been reported, so the test holds no
    /// matter how loaded the machine is; were their reports held back by the slow host,
    /// it would give up after two minutes and fail the run.
    @Test func aSlowHostDoesNotHoldBackTheOthers() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-sl\(UInt16.random(in: 0 ... .max))"))
        let hosts = Array(sandbox.hosts.prefix(3))
        let release = sandbox.hostDirectory(1).appendingPathComponent("released-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: release) }
        let watcher = ReleaseWhenReported(hosts: ["h2", "h3"], step: "maybe slow", release: release)
        let memory = MemoryLogSink()
        let wait = shellWait(until: "[ -e \(ShellQuote.quote(release.path)) ]", orFail: "the fast hosts were never reported")
        let report = await PlaybookRunner(transport: transport, runLog: RunLog(sinks: [watcher, memory])).run(
            Playbook("slow", steps: [Step("maybe slow", action: .shell("if [ \"$SANDBOX_HOST\" = h1 ]; then \(wait); fi"))]), on: hosts)
        let finished = memory.entries.filter { $0.level == .ok }.compactMap(\.host)
        #expect(report.succeeded, "\(report.hosts.map { "\($0.host): \($0.status) \($0.message ?? "")" })")
        #expect(finished.count == 3 && finished.last == "h1", "the slow host must be reported last: \(finished)")
        await transport.close()
    }

    @Test func mastersPersistUntilClosed() async throws {
        let sandbox = try currentSandbox()
        let control = URL(fileURLWithPath: "/tmp/fkt-cl\(UInt16.random(in: 0 ... .max))")
        let transport = try sandbox.transport(controlDirectory: control, persist: .seconds(30))
        let host = sandbox.hosts[1]
        #expect(await !transport.hasMasterConnection(to: host))
        _ = try await transport.run(RemoteCommand("true"), on: host)
        #expect(await transport.hasMasterConnection(to: host), "the master outlives the command for the persist window")
        let logins = try sandbox.acceptedLogins(2)
        _ = try await transport.run(RemoteCommand("true"), on: host)
        #expect(try sandbox.acceptedLogins(2) == logins, "a second command reuses the master")
        await transport.close()
        #expect(await !transport.hasMasterConnection(to: host))
    }

    @Test func withoutPersistEveryCommandOfAHostStillSharesOneLogin() async throws {
        let sandbox = try currentSandbox()
        let control = URL(fileURLWithPath: "/tmp/fkt-p0\(UInt16.random(in: 0 ... .max))")
        let transport = try sandbox.transport(controlDirectory: control, persist: .zero)
        let host = sandbox.hosts[2]
        let logins = try sandbox.acceptedLogins(3)
        for _ in 0..<3 { _ = try await transport.run(RemoteCommand("true"), on: host) }
        #expect(try sandbox.acceptedLogins(3) == logins + 1, "one SSH master per host for the whole run")
        await transport.close()
        #expect(await !transport.hasMasterConnection(to: host), "close() ends the run's masters")
    }

    @Test func connectionStartsAreBoundedButRunningCommandsAreNot() async throws {
        let sandbox = try currentSandbox()
        var configuration = try sandbox.transport().configuration
        configuration.controlDirectory = URL(fileURLWithPath: "/tmp/fkt-cs\(UInt16.random(in: 0 ... .max))")
        configuration.connectionStartLimit = 1
        let transport = try OpenSSHTransport(configuration: configuration)
        let hosts = Array(sandbox.hosts.prefix(3))
        let marks = "/tmp/fkt-overlap-\(UInt32.random(in: 0 ... .max))"
        defer { for host in hosts { try? FileManager.default.removeItem(atPath: "\(marks)-\(host.name)") } }
        // Each command marks that it runs, then waits until all three do. Were a slot held
        // for the whole command, the first would wait for commands that cannot start, give
        // up after two minutes and fail; with slots freed once a command runs, all three
        // meet however long each handshake takes.
        let waitForAll = shellWait(until: "[ \"$(ls -1 \(ShellQuote.quote(marks))-* | wc -l)\" -ge \(hosts.count) ]",
                                   orFail: "the other commands never started")
        let results = try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for host in hosts {
                let file = ShellQuote.quote("\(marks)-\(host.name)")
                group.addTask { try await transport.run(RemoteCommand("touch \(file) && \(waitForAll)"), on: host) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.succeeded }, "\(results.map { $0.standardError })")
        await transport.close()
    }

    @Test func stoppedHostIsUnreachable() async throws {
        let sandbox = try currentSandbox()
        try await sandbox.stopHost(4)
        defer { Task { try? await sandbox.startHost(4) } }
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-un\(UInt16.random(in: 0 ... .max))"))
        do {
            _ = try await transport.run(RemoteCommand("true"), on: sandbox.hosts[3])
            Issue.record("a stopped host answered")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains(sandbox.hosts[3].address))
        }
        try await sandbox.startHost(4)
    }

    // MARK: A command's own exit 255

    @Test func aCommandExiting255RunsOnceAndIsAResult() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport(retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100), maxDelay: .milliseconds(200)))
        let counter = "runs-\(UUID().uuidString.prefix(8))"
        let result = try await transport.run(RemoteCommand("echo x >> \(counter); printf 'out\\000put'; echo err >&2; exit 255"),
                                             on: sandbox.hosts[1])
        #expect(result.exitStatus == 255)
        #expect(result.standardOutput == "out\u{0}put")
        #expect(result.standardError == "err\n")
        #expect(!result.timedOut)
        let runs = try await transport.run(RemoteCommand("wc -l < \(counter)"), on: sandbox.hosts[1])
        #expect(runs.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "the command ran more than once")
        await transport.close()
    }

    @Test func aCommandKilledByASignalIsAResultToo() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport(retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100), maxDelay: .milliseconds(200)))
        let result = try await transport.run(RemoteCommand("echo before; kill -KILL $$"), on: sandbox.hosts[1])
        #expect(result.exitStatus == 128 + SIGKILL)
        #expect(result.standardOutput == "before\n")
        #expect(result.standardError.isEmpty)
        await transport.close()
    }

    @Test func anUnreachableHostIsStillRetriedAndReported() async throws {
        let sandbox = try currentSandbox()
        // A real host on a port where nothing listens: ssh itself fails with 255.
        let closed = RemoteHost(name: "closed", address: sandbox.hosts[0].address, user: "fleettest", port: 1)
        let clock = RecordingClock()
        let configuration = OpenSSHConfiguration(
            controlDirectory: URL(fileURLWithPath: "/tmp/fkt-ur\(UInt16.random(in: 0 ... .max))"),
            knownHostsFile: sandbox.directory.appendingPathComponent("known_hosts"), connectTimeout: .seconds(3),
            defaultIdentityFile: sandbox.identityFile, readsUserConfig: false,
            connectRetry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100), maxDelay: .milliseconds(200)))
        let transport = try OpenSSHTransport(configuration: configuration, clock: clock)
        defer { try? FileManager.default.removeItem(at: configuration.controlDirectory) }
        do {
            _ = try await transport.run(RemoteCommand("exit 255"), on: closed)
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("Connection refused"), "\(error.message)")
        }
        #expect(clock.sleeps.withLock { $0 } == [.milliseconds(100), .milliseconds(200)], "three attempts")
    }

    // MARK: Cancellation

    /// The path through a local `ssh` per command, kept for masters that cannot take
    /// sessions directly (``MasterSessionTransportTests`` covers the main path).
    @Test func cancellingStopsTheLocalSSHAndTheRemoteCommand() async throws {
        let sandbox = try currentSandbox()
        var configuration = try sandbox.transport().configuration
        configuration.controlDirectory = URL(fileURLWithPath: "/tmp/fkt-cx\(UInt16.random(in: 0 ... .max))")
        configuration.opensSessionsOnControlSocket = false
        let transport = try OpenSSHTransport(configuration: configuration)
        let host = sandbox.hosts[2]
        // Open the master first: it is started by the first command and keeps that
        // command's argv, which would otherwise carry the marker.
        _ = try await transport.run(RemoteCommand("true"), on: host)
        let marker = "5\(Int.random(in: 100_000_000...999_999_999))"
        let running = Task { try await transport.run(RemoteCommand("sleep \(marker); echo finished", timeout: .seconds(300)), on: host) }
        // Same machine, no PID namespace: the host's `sleep` is visible here.
        #expect(await eventually { ProcessScan.live(containing: marker).contains { $0.hasSuffix(": sleep \(marker) ") } },
                "the remote command never started")
        // The invocation's id, read from the local ssh's argv, names its pid file on the host.
        let sshLine = try #require(ProcessScan.liveChildren(containing: marker).first)
        let id = try #require(sshLine.firstMatch(of: /@fleetkit (fk[0-9a-z]+) start/)?.1)
        running.cancel()
        let outcome = await running.result
        #expect(throws: TransportError.self) { try outcome.get() }
        if case .failure(let error as TransportError) = outcome {
            #expect(error.kind == .cancelled)
        }
        #expect(ProcessScan.liveChildren(containing: marker).isEmpty, "a local ssh for the command is left")
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        // Seen from the host: no such process, and neither pid file nor cancel marker left.
        let check = try await transport.run(
            RemoteCommand("pgrep -f 'slee[p] \(marker)'; cd \"\(RemoteInvocation.runFolder)\" && ls -A | grep -F \(id); true"), on: host)
        #expect(check.exitStatus == 0)
        #expect(check.standardOutput.isEmpty, "left on the host: \(check.standardOutput)")
        await transport.close()
    }

    @Test func cancellingAPlaybookRunEndsItWithNothingLeftRunning() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-cp\(UInt16.random(in: 0 ... .max))"))
        let hosts = Array(sandbox.hosts.prefix(3))
        let marker = "6\(Int.random(in: 100_000_000...999_999_999))"
        let playbook = Playbook("cancel me", steps: [
            .shell("wait", check: "false", action: "sleep \(marker)", retries: 2, timeout: .seconds(300)),
            .shell("after", action: "touch after-\(marker)"),
        ])
        let run = Task { await PlaybookRunner(transport: transport, runLog: .discarding).run(playbook, on: hosts) }
        #expect(await eventually { ProcessScan.live(containing: marker).filter { $0.hasSuffix(": sleep \(marker) ") }.count == hosts.count },
                "the remote commands never started")
        run.cancel()
        let report = await run.value
        #expect(report.hosts.map(\.status) == [.stopped, .stopped, .stopped])
        #expect(report.stopReason == PlaybookRunner.cancelledReason)
        #expect(report.hosts.allSatisfy { $0.message?.contains("cancelled") == true }, "\(report.hosts.map(\.message))")
        #expect(ProcessScan.liveChildren(containing: marker).isEmpty, "a local ssh for the command is left")
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        for host in hosts {
            let after = try await transport.run(RemoteCommand("ls after-\(marker)"), on: host)
            #expect(after.exitStatus != 0, "the step after the cancelled one ran on \(host.name)")
        }
        await transport.close()
    }
}

/// Creates `release` once every host in `hosts` has logged `step` as done.
private final class ReleaseWhenReported: LogSink {
    private let waiting: Locked<Set<String>>
    private let step: String
    private let release: URL

    init(hosts: Set<String>, step: String, release: URL) {
        waiting = Locked(hosts)
        self.step = step
        self.release = release
    }

    func write(_ entry: LogEntry) {
        guard entry.level == .ok, let host = entry.host, entry.message.hasPrefix("\(step): done") else { return }
        let allReported = waiting.withLock { waiting in
            waiting.remove(host)
            return waiting.isEmpty
        }
        if allReported { _ = FileManager.default.createFile(atPath: release.path, contents: nil) }
    }
}
