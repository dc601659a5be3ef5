import Foundation
import Testing
import FleetTestSupport
@testable import FleetKit

@Suite(.serialized, .sandboxHosts(4))
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
        #expect(elapsed < .seconds(15))
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

    @Test func aSlowHostDoesNotHoldBackTheOthers() async throws {
        let sandbox = try currentSandbox()
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-sl\(UInt16.random(in: 0 ... .max))"))
        let hosts = Array(sandbox.hosts.prefix(3))
        let report = await PlaybookRunner(transport: transport, runLog: .discarding).run(
            Playbook("slow", steps: [Step("maybe slow", action: .shell("if [ \"$SANDBOX_HOST\" = h1 ]; then sleep 5; fi"))]), on: hosts)
        #expect(report.succeeded)
        let durations = report.hosts.map(\.duration)
        #expect(durations[0] >= 5)
        #expect(durations[1] < 3 && durations[2] < 3, "fast hosts reported after \(durations)")
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
}
