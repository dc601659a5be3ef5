import Foundation
import Testing
import FleetTestSupport
import FleetKitTesting
@testable import FleetKit

/// The transport's main path: commands as sessions asked for on the master connection's
/// control socket, with no local `ssh` per command, against real sshd hosts.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct MasterSessionTransportTests {
    /// A transport with its own control folder whose debug lines land in `memory`.
    private func transport(_ sandbox: SandboxHosts, memory: MemoryLogSink = MemoryLogSink(),
                           retry: RetryPolicy = .none) throws -> OpenSSHTransport {
        var configuration = try sandbox.transport(retry: retry).configuration
        configuration.controlDirectory = URL(fileURLWithPath: "/tmp/fkt-mx\(UInt16.random(in: 0 ... .max))")
        return try OpenSSHTransport(configuration: configuration, log: RunLog(sinks: [memory]))
    }

    /// Opens the host's master with a first command (that one starts ssh).
    private func openMaster(_ transport: OpenSSHTransport, _ host: RemoteHost) async throws {
        let first = try await transport.run(RemoteCommand("true"), on: host)
        #expect(first.succeeded)
    }

    @Test func commandsAfterTheFirstStartNoLocalSSH() async throws {
        let sandbox = try currentSandbox()
        let memory = MemoryLogSink()
        let transport = try transport(sandbox, memory: memory)
        let host = sandbox.hosts[0]
        try await openMaster(transport, host)
        let marker = "7\(Int.random(in: 100_000_000...999_999_999))"
        let release = "/tmp/fkt-release-\(marker)"
        defer { try? FileManager.default.removeItem(atPath: release) }
        let running = Task {
            try await transport.run(RemoteCommand("sleep 0.\(marker) & \(shellWait(until: "[ -e \(release) ]", orFail: "never released")); echo done"), on: host)
        }
        #expect(await eventually { !ProcessScan.live(containing: "sleep 0.\(marker)").isEmpty }, "the command never started")
        #expect(ProcessScan.liveChildren(containing: marker).isEmpty, "a local program was started for the command")
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        let result = try await running.value
        #expect(result.standardOutput == "done\n")
        #expect(result.standardError.isEmpty, "the start line must not show: \(result.standardError)")
        #expect(memory.entries.contains { $0.level == .debug && $0.message.contains("go over the master connection's control socket") })
        await transport.close()
    }

    @Test func aCommandExiting255IsAResultAndRunsOnce() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox, retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(100), maxDelay: .milliseconds(200)))
        let host = sandbox.hosts[1]
        try await openMaster(transport, host)
        let counter = "runs-\(UUID().uuidString.prefix(8))"
        let result = try await transport.run(RemoteCommand("echo x >> \(counter); printf 'out\\000put'; echo err >&2; exit 255"), on: host)
        #expect(result.exitStatus == 255)
        #expect(result.standardOutput == "out\u{0}put")
        #expect(result.standardError == "err\n")
        #expect(!result.timedOut)
        let killed = try await transport.run(RemoteCommand("echo before; kill -KILL $$"), on: host)
        #expect(killed.exitStatus == 128 + SIGKILL)
        #expect(killed.standardOutput == "before\n")
        let runs = try await transport.run(RemoteCommand("wc -l < \(counter); rm -f \(counter)"), on: host)
        #expect(runs.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "the command ran more than once")
        let positional = try await transport.run(RemoteCommand("echo \"[$#][$1][${fleetkit_script-unset}]\""), on: host)
        #expect(positional.standardOutput == "[0][][unset]\n", "the script must see what sh -c would give it")
        await transport.close()
    }

    @Test func aSecretOnStandardInputReachesTheCommandAndNoCommandLine() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox)
        let host = sandbox.hosts[2]
        try await openMaster(transport, host)
        let secret = "s3cr3t-\(UUID().uuidString)"
        let seen = Locked<[String]>([])
        let watching = Task {
            while !Task.isCancelled {
                let found = ProcessScan.live(containing: secret)
                if !found.isEmpty { seen.withLock { $0 = found } }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let result = try await transport.run(
            RemoteCommand("IFS= read -r value; sleep 1; printf '%s' \"$value\"", standardInput: Data((secret + "\n").utf8)), on: host)
        watching.cancel()
        #expect(result.standardOutput == secret)
        #expect(seen.withLock { $0 }.isEmpty, "the secret showed in a command line: \(seen.withLock { $0 })")
        let payload = Data((0..<300_000).map { UInt8($0 % 251) })
        let counted = try await transport.run(RemoteCommand("wc -c", standardInput: payload), on: host)
        #expect(counted.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "300000")
        await transport.close()
    }

    @Test func outputPastTheLimitIsCutAndStreamedOutputIsWhole() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox)
        let host = sandbox.hosts[0]
        try await openMaster(transport, host)
        let capped = try await transport.run(RemoteCommand("head -c 300000 /dev/zero | tr '\\0' a; head -c 5000 /dev/zero | tr '\\0' e >&2",
                                                           outputLimit: 1000), on: host)
        #expect(capped.exitStatus == 0)
        #expect(capped.truncated)
        #expect(capped.standardOutput == String(repeating: "a", count: 1000))
        #expect(capped.standardError == String(repeating: "e", count: 1000))
        let received = Locked(0)
        let streamed = try await transport.run(RemoteCommand("head -c 2000000 /dev/zero", outputLimit: 10, standardOutputHandler: { chunk in
            received.withLock { $0 += chunk.count }
        }), on: host)
        #expect(streamed.exitStatus == 0)
        #expect(received.withLock { $0 } == 2_000_000)
        #expect(streamed.standardOutput.isEmpty)
        await transport.close()
    }

    @Test func theHostsTimeoutStopsTheWholeProcessTree() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox)
        let host = sandbox.hosts[1]
        try await openMaster(transport, host)
        let marker = "8\(Int.random(in: 100_000_000...999_999_999))"
        let result = try await transport.run(RemoteCommand("sleep \(marker) & sleep 1\(marker); wait", timeout: .seconds(2)), on: host)
        #expect(result.timedOut)
        #expect(result.exitStatus == RemoteTimeout.timedOutStatus)
        // Same machine, no PID namespace: the host's processes are visible here.
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        // A command that ignores SIGTERM is killed after the grace; still a timeout, not a lost connection.
        let stubborn = try await transport.run(RemoteCommand("trap '' TERM; sleep 2\(marker)", timeout: .seconds(1)), on: host)
        #expect(stubborn.timedOut)
        #expect(await eventually { ProcessScan.live(containing: "2\(marker)").isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        await transport.close()
    }

    @Test func cancellingMidCommandStopsItOnTheHost() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox)
        let host = sandbox.hosts[2]
        try await openMaster(transport, host)
        let marker = "9\(Int.random(in: 100_000_000...999_999_999))"
        let running = Task { try await transport.run(RemoteCommand("sleep \(marker) & sleep 1\(marker); echo finished", timeout: .seconds(300)), on: host) }
        #expect(await eventually { ProcessScan.live(containing: marker).count >= 2 }, "the remote command never started")
        running.cancel()
        let outcome = await running.result
        #expect(throws: TransportError.self) { try outcome.get() }
        if case .failure(let error as TransportError) = outcome {
            #expect(error.kind == .cancelled)
            #expect(error.message.contains("stopped on the host"))
        }
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        let after = try await transport.run(RemoteCommand("echo still usable"), on: host)
        #expect(after.standardOutput == "still usable\n")
        await transport.close()
    }

    @Test func cancellingBeforeTheProcessGroupIsKnownStillStopsTheCommand() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox)
        let host = sandbox.hosts[1]
        try await openMaster(transport, host)
        // As if the start line with the group id had not arrived when the cancellation came.
        transport.readsProcessGroups.withLock { $0 = false }
        let marker = "5\(Int.random(in: 100_000_000...999_999_999))"
        let running = Task { try await transport.run(RemoteCommand("sleep \(marker) & sleep 1\(marker); echo finished", timeout: .seconds(3000)), on: host) }
        #expect(await eventually { ProcessScan.live(containing: marker).count >= 2 }, "the remote command never started")
        running.cancel()
        let outcome = await running.result
        if case .failure(let error as TransportError) = outcome {
            #expect(error.kind == .cancelled)
        } else {
            Issue.record("expected a cancellation, got \(outcome)")
        }
        // Stopped by its id, well before the host's own limit of 3000 s.
        #expect(await eventually(within: .seconds(120)) { ProcessScan.live(containing: marker).isEmpty },
                "left running: \(ProcessScan.live(containing: marker))")
        transport.readsProcessGroups.withLock { $0 = true }
        let after = try await transport.run(RemoteCommand("echo still usable"), on: host)
        #expect(after.standardOutput == "still usable\n")
        await transport.close()
    }

    @Test func aMasterKilledMidRunIsAnUnreachableHostNotAHang() async throws {
        let sandbox = try currentSandbox()
        let memory = MemoryLogSink()
        let transport = try transport(sandbox, memory: memory)
        let host = sandbox.hosts[0]
        try await openMaster(transport, host)
        let socket = SSHArguments.controlSocket(for: host, configuration: transport.configuration)
        let marker = "6\(Int.random(in: 100_000_000...999_999_999))"
        let running = Task { try await transport.run(RemoteCommand("sleep \(marker)", timeout: .seconds(3)), on: host) }
        #expect(await eventually { !ProcessScan.live(containing: "sleep \(marker)").isEmpty }, "the remote command never started")
        let masters = ProcessScan.live(containing: "\(socket) [mux]").compactMap { Int32($0.prefix { $0 != ":" }) }
        #expect(masters.count == 1, "\(ProcessScan.live(containing: socket))")
        for master in masters { kill(master, SIGKILL) }
        let outcome = await running.result
        #expect(throws: TransportError.self) { try outcome.get() }
        if case .failure(let error as TransportError) = outcome {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("lost while the command ran"))
        }
        // The host's own timeout still ends the orphaned command.
        #expect(await eventually { ProcessScan.live(containing: "sleep \(marker)").isEmpty }, "left running on the host")
        // The stale socket is not taken for a master: the next command starts ssh, which opens a new one.
        let again = try await transport.run(RemoteCommand("echo back"), on: host)
        #expect(again.standardOutput == "back\n")
        #expect(memory.entries.contains { $0.message.contains("start ssh each") }, "the fallback is logged")
        await transport.close()
    }

    @Test func aThousandCommandsLeakNoDescriptorsOrProcesses() async throws {
        let sandbox = try currentSandbox()
        let transport = try transport(sandbox)
        let host = sandbox.hosts[1]
        try await openMaster(transport, host)
        _ = try await transport.run(RemoteCommand("echo warm", standardInput: Data("x".utf8)), on: host)
        let descriptorsBefore = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        let childrenBefore = ProcessTree.descendants(of: getpid()).count
        var wrong: [String] = []
        for index in 0..<1000 {
            let input: Data? = index % 2 == 0 ? Data("\(index)\n".utf8) : nil
            let result = try await transport.run(RemoteCommand(index % 2 == 0 ? "read -r n; echo $n" : "echo \(index)", standardInput: input), on: host)
            if result.standardOutput != "\(index)\n" || result.exitStatus != 0 { wrong.append("\(index): \(result)") }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(3))")
        let descriptorsAfter = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        #expect(descriptorsAfter <= descriptorsBefore, "descriptors before \(descriptorsBefore), after \(descriptorsAfter)")
        #expect(ProcessTree.descendants(of: getpid()).count <= childrenBefore, "local processes left")
        await transport.close()
    }
}
