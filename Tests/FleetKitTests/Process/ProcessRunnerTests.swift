import Foundation
import Testing
@testable import FleetKit

@Suite struct ProcessRunnerTests {
    @Test func capturesBothStreamsAndStatus() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 4"]))
        #expect(output.status == 4)
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "out\n")
        #expect(String(decoding: output.standardError, as: UTF8.self) == "err\n")
        #expect(!output.timedOut)
    }

    @Test func timeoutSendsTermThenKill() async throws {
        let started = ContinuousClock.now
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 30"],
                                                                timeout: .milliseconds(300), killGrace: .milliseconds(300)))
        #expect(output.timedOut)
        #expect(output.status == 128 + SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func outputIsCappedButFullyDrained() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "head -c 5000000 /dev/zero; echo done >&2"],
                                                                outputLimit: 1000))
        #expect(output.standardOutput.count == 1000)
        #expect(output.truncated)
        #expect(output.status == 0)
    }

    @Test func manyProcessesInParallelDoNotStall() async throws {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<64 { group.addTask { try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "sleep 0.3"])).status } }
            for try await status in group { #expect(status == 0) }
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func childrenStartWithNoSignalBlocked() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "grep SigBlk /proc/self/status"]))
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "SigBlk:\t0000000000000000\n")
    }

    @Test func missingProgramIsALaunchError() async {
        await #expect(throws: ProcessLaunchError.self) { try await ProcessRunner.run(ProcessRequest(executable: "/nonexistent/program")) }
    }
}
