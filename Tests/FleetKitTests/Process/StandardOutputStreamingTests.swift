import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting
@testable import FleetKit

/// Standard output handed to a handler as it arrives, for programs that print more than memory should hold.
@Suite(.tags(.unit)) struct StandardOutputStreamingTests {
    @Test func chunksArriveWhileTheProgramStillRuns() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let go = folder.appendingPathComponent("go").path
        // The program prints, then waits until the handler has seen that output: it only ends
        // if chunks are handed over before it exits.
        let received = Locked(Data())
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: "/bin/sh", arguments: ["-c", "echo first; while [ ! -e \(ShellQuote.quote(go)) ]; do sleep 0.05; done; echo second"],
            timeout: .seconds(60),
            standardOutputHandler: { chunk in
                received.withLock { $0.append(contentsOf: chunk) }
                _ = FileManager.default.createFile(atPath: go, contents: nil)
            }))
        #expect(output.status == 0 && !output.timedOut)
        #expect(String(decoding: received.withLock { $0 }, as: UTF8.self) == "first\nsecond\n")
        #expect(output.standardOutput.isEmpty, "streamed output is not kept")
    }

    @Test func moreThanTheOutputLimitPassesThroughWhileStandardErrorIsStillCapped() async throws {
        let total = Locked(0)
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: "/bin/sh", arguments: ["-c", "head -c 20000000 /dev/zero; head -c 5000 /dev/zero >&2"], outputLimit: 1000,
            standardOutputHandler: { chunk in total.withLock { $0 += chunk.count } }))
        #expect(output.status == 0)
        #expect(total.withLock { $0 } == 20_000_000)
        #expect(output.standardError.count == 1000 && output.truncated)
    }

    @Test func localAndScriptedTransportsHandTheOutputOver() async throws {
        let host = RemoteHost(name: "local", address: "127.0.0.1")
        let local = Locked(Data())
        let result = try await LocalTransport().run(RemoteCommand("printf 'a\\nb\\n'; echo err >&2", standardOutputHandler: { chunk in
            local.withLock { $0.append(contentsOf: chunk) }
        }), on: host)
        #expect(result.succeeded && result.standardOutput.isEmpty && result.standardError == "err\n")
        #expect(local.withLock { $0 } == Data("a\nb\n".utf8))

        let scripted = ScriptedTransport { _, _ in .exit(0, "line\n") }
        let seen = Locked(Data())
        let reply = try await scripted.run(RemoteCommand("cat log", standardOutputHandler: { chunk in seen.withLock { $0.append(contentsOf: chunk) } }), on: host)
        #expect(reply.standardOutput.isEmpty && seen.withLock { $0 } == Data("line\n".utf8))
    }
}
