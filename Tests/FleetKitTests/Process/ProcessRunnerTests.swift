import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting
@testable import FleetKit

@Suite(.tags(.unit)) struct ProcessRunnerTests {
    /// A child that exits without reading its standard input (as `cmp` does at the first
    /// difference) makes the write fail; with SIGPIPE at its default action that must not
    /// end this process.
    @Test func aChildThatDoesNotReadItsInputDoesNotKillTheCaller() async throws {
        let previous = signal(SIGPIPE, SIG_DFL)
        defer { signal(SIGPIPE, previous) }
        for _ in 0..<20 {
            let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "exit 3"],
                                                                    standardInput: Data(repeating: 0x61, count: 1 << 20)))
            #expect(output.status == 3)
        }
    }

    @Test func capturesBothStreamsAndStatus() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; exit 4"]))
        #expect(output.status == 4)
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "out\n")
        #expect(String(decoding: output.standardError, as: UTF8.self) == "err\n")
        #expect(!output.timedOut)
    }

    @Test func timeoutSendsTermThenKill() async throws {
        let started = ContinuousClock.now
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep 300"],
                                                                timeout: .milliseconds(300), killGrace: .milliseconds(300)))
        #expect(output.timedOut)
        #expect(output.status == 128 + SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(60), "the program ignores TERM and sleeps for 300 s")
    }

    @Test func outputIsCappedButFullyDrained() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "head -c 5000000 /dev/zero; echo done >&2"],
                                                                outputLimit: 1000))
        #expect(output.standardOutput.count == 1000)
        #expect(output.truncated)
        #expect(output.status == 0)
    }

    @Test func manyProcessesInParallelDoNotStall() async throws {
        // Each child marks itself in a folder and ends well only once all 64 marks are there:
        // run one after another (or fewer at a time) they never all see 64 and fail after
        // the 300 s guard; run together, each ends as soon as the last one started.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
            touch "$1/$$"; n=0
            while [ "$(ls "$1" | wc -l)" -lt 64 ] && [ "$n" -lt 3000 ]; do sleep 0.1; n=$((n + 1)); done
            [ "$(ls "$1" | wc -l)" -ge 64 ]
            """
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<64 {
                group.addTask { try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script, "sh", folder.path])).status }
            }
            for try await status in group { #expect(status == 0, "every child saw the 64 running together") }
        }
    }

    @Test func childrenStartWithNoSignalBlocked() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "grep SigBlk /proc/self/status"]))
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "SigBlk:\t0000000000000000\n")
    }

    @Test func missingProgramIsALaunchError() async {
        await #expect(throws: ProcessLaunchError.self) { try await ProcessRunner.run(ProcessRequest(executable: "/nonexistent/program")) }
    }
}

@Suite(.tags(.unit)) struct ProcessRunnerCancellationTests {
    /// A `sleep` whose argument is unique, so the test can find exactly its own processes.
    private func marker() -> String { "7\(Int.random(in: 100_000_000...999_999_999))" }

    @Test func cancellingTheTaskStopsTheProgramAndItsChildren() async throws {
        let marker = marker()
        let task = Task {
            try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "sleep \(marker) & sleep \(marker); wait"],
                                                       killGrace: .seconds(5)))
        }
        #expect(await eventually { ProcessScan.live(containing: "sleep \(marker)").count == 3 }, "the program and its two children never started")
        task.cancel()
        let output = try await task.value
        #expect(output.cancelled)
        #expect(!output.timedOut)
        #expect(output.status == 128 + SIGTERM)
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
    }

    @Test func aProgramIgnoringTermIsKilledAfterTheGrace() async throws {
        let marker = marker()
        let task = Task {
            try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; sleep \(marker); echo never"],
                                                       killGrace: .milliseconds(300)))
        }
        #expect(await eventually { !ProcessScan.live(containing: "sleep \(marker)").isEmpty }, "the program never started")
        task.cancel()
        let output = try await task.value
        #expect(output.cancelled)
        #expect(output.status == 128 + SIGKILL)
        #expect(output.standardOutput.isEmpty)
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
    }

    @Test func anAlreadyCancelledTaskStopsTheProgramAtOnce() async throws {
        let marker = marker()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await ProcessRunner.run(ProcessRequest(executable: "/bin/sleep", arguments: [marker]))
        }
        let output = try await task.value
        #expect(output.cancelled)
        #expect(output.status == 128 + SIGTERM)
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty })
    }

    @Test func aProgramThatFinishedIsNotReportedAsCancelled() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "echo done"]))
        #expect(!output.cancelled)
        #expect(output.status == 0)
    }
}
