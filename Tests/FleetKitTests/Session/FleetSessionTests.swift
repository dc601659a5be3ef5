import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// The session owns a job's inventory, secrets, log and transport.
@Suite(.tags(.unit)) struct FleetSessionTests {
    static let secret = "0x" + String(repeating: "ab", count: 32)

    static func hosts() -> [RemoteHost] {
        [RemoteHost(name: "web-1", address: "203.0.113.1", secretVariables: ["key": Secret(secret)]),
         RemoteHost(name: "web-2", address: "203.0.113.2"), RemoteHost(name: "db-1", address: "203.0.113.3")]
    }

    static func configuration(_ transport: ScriptedTransport, _ sink: MemoryLogSink, limit: HostPattern? = nil,
                              persist: Duration = .zero) -> FleetSession.Configuration {
        FleetSession.Configuration(inventory: .hosts(hosts(), limit: limit), ssh: OpenSSHConfiguration(controlPersist: persist),
                                   log: .log(RunLog(sinks: [sink])), transport: transport)
    }

    struct Echo: FleetJob {
        func run(in session: FleetSession) async throws -> [String] {
            var outputs: [String] = []
            for host in session.inventory.hosts {
                outputs.append(try await session.transport.run(RemoteCommand("echo \(Self.self)"), on: host).standardOutput)
                session.runLog.info("said \(FleetSessionTests.secret)", host: host.name)
            }
            return outputs
        }
    }

    @Test func aJobRunsOnTheLimitedHostsWithTheInventorysSecretsMaskedAndTheTransportClosed() async throws {
        let transport = ScriptedTransport { host, _ in .exit(0, host.name) }
        let sink = MemoryLogSink()
        let outputs = try await FleetSession.with(Self.configuration(transport, sink, limit: try HostPattern("web-*"))) { session in
            #expect(session.redact("key \(Self.secret)") == "key ***")
            return try await session.run(Echo())
        }
        #expect(outputs == ["web-1", "web-2"])
        #expect(transport.calls.map(\.host) == ["web-1", "web-2"])
        #expect(sink.entries.allSatisfy { !$0.message.contains(Self.secret) } && sink.entries.count == 2)
        #expect(transport.closeCount == 1)
    }

    struct Failing: FleetJob {
        func run(in session: FleetSession) async throws -> Int { throw StepFailure("the job failed") }
    }

    @Test func theTransportIsClosedWhenTheBodyThrowsOrIsCancelled() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0) }
        await #expect(throws: StepFailure.self) {
            try await FleetSession.with(Self.configuration(transport, MemoryLogSink())) { session in try await session.run(Failing()) }
        }
        #expect(transport.closeCount == 1)
        let blocked = ScriptedTransport { _, _ in
            try? await Task.sleep(for: .seconds(600))
            return .exit(0)
        }
        let work = Task { try await FleetSession.with(Self.configuration(blocked, MemoryLogSink())) { session in try await session.run(Echo()) } }
        work.cancel()
        _ = try? await work.value
        #expect(blocked.closeCount == 1)
    }

    @Test func persistingConnectionsAreLeftOpenForTheNextRun() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0) }
        _ = try await FleetSession.with(Self.configuration(transport, MemoryLogSink(), persist: .seconds(60))) { session in
            try await session.run(Echo())
        }
        #expect(transport.closeCount == 0)
    }

    @Test func aLimitMatchingNoHostIsAnInputErrorNamingThePattern() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0) }
        do {
            _ = try await FleetSession.with(Self.configuration(transport, MemoryLogSink(), limit: try HostPattern("mail-*"))) { _ in 0 }
            Issue.record("expected an error")
        } catch let error as InventoryError {
            #expect(error.message == "no host matches the host limit 'mail-*'")
        }
        #expect(transport.calls.isEmpty)
    }

    @Test func aPreflightProblemOnThisMachineThrowsBeforeAnyHostIsContacted() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0) }
        var configuration = Self.configuration(transport, MemoryLogSink())
        configuration.ssh = OpenSSHConfiguration(sshPath: "/nonexistent/ssh", controlPersist: .zero)
        do {
            _ = try await FleetSession.with(configuration) { session in try await session.preflight() }
            Issue.record("expected a preflight failure")
        } catch let failure as PreflightFailure {
            #expect(failure.problems.contains { $0.contains("/nonexistent/ssh") })
            #expect(failure.summaryAfterLoggedProblems == "the preflight found 1 problem on this machine (listed above); no server was changed")
        }
        #expect(transport.calls.isEmpty)
    }

    @Test func anInventoryFileIsReadWithItsNameInMessagesAndTheLogFileIsNamedAfterTheJob() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("servers.csv")
        try "name,ip\nnode-a,203.0.113.9\n".write(to: csv, atomically: true, encoding: .utf8)
        let transport = ScriptedTransport { _, _ in .exit(0) }
        let configuration = FleetSession.Configuration(inventory: .file(csv, displayName: "servers.csv"),
                                                       log: .file(name: "ping", in: folder.appendingPathComponent("logs")), transport: transport)
        let (names, log) = try await FleetSession.with(configuration) { session in
            (session.inventory.hosts.map(\.name), session.logFile)
        }
        #expect(names == ["node-a"])
        #expect(log?.lastPathComponent.hasPrefix("ping_") == true && log.map { FileManager.default.fileExists(atPath: $0.path) } == true)
        try "name,ip\nnode-a,not an address\n".write(to: csv, atomically: true, encoding: .utf8)
        await #expect { try await FleetSession.with(configuration) { _ in 0 } } throws: { error in
            (error as? InventoryError)?.file == "servers.csv"
        }
    }
}
