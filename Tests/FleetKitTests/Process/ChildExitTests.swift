import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

/// Exits are learnt per child, so a child that closes its inherited descriptors (as `ssh`
/// does) and keeps running does not hold back the exit of the others, which Foundation's
/// own monitoring would.
@Suite(.tags(.unit)) struct ChildExitTests {
    /// A program that closes every descriptor above 2, creates `closed`, then waits (at
    /// most two minutes) for `release` to exist.
    private static func descriptorCloser(closed: String, waitingFor release: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "for fd in $(seq 3 1023); do eval \"exec $fd>&-\" 2>/dev/null; done; : >\"$1\"; "
            + shellWait(until: "[ -e \"$2\" ]", orFail: "never released"), "closer", closed, release]
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func aQuickChildIsSeenToExitWhileAnotherThatClosedItsDescriptorsRuns() async throws {
        let marks = NSTemporaryDirectory() + "child-exit-\(UUID().uuidString)"
        let (closed, release) = (marks + "-closed", marks + "-release")
        defer { for path in [closed, release] { try? FileManager.default.removeItem(atPath: path) } }
        let closer = try Self.descriptorCloser(closed: closed, waitingFor: release)
        let closerState = ChildExitState(watching: closer)
        while !FileManager.default.fileExists(atPath: closed) { try await Task.sleep(for: .milliseconds(20)) }

        let quick = Process()
        quick.executableURL = URL(fileURLWithPath: "/bin/sh")
        quick.arguments = ["-c", "exit 7"]
        try quick.run()
        // Were this waiting on Foundation, it would return only when the closer ends: after
        // two minutes, with status 3.
        #expect(await ChildExit.status(of: quick) == 7)
        #expect(closerState.isRunning, "the closer still waits for its release")

        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        #expect(await ChildExit.status(of: closer) == 0)
        while closerState.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(closerState.exitStatus == 0)
    }

    @Test func signalsAreReportedAsOneHundredTwentyEightPlusTheSignal() async throws {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["3600"]
        try sleeper.run()
        let state = ChildExitState(watching: sleeper)
        #expect(state.isRunning)
        kill(sleeper.processIdentifier, SIGKILL)
        #expect(await ChildExit.status(of: sleeper) == 128 + SIGKILL)
    }

    @Test func aChildFoundationReapedAlreadyStillGivesItsStatus() async throws {
        let quick = Process()
        quick.executableURL = URL(fileURLWithPath: "/bin/sh")
        quick.arguments = ["-c", "exit 5"]
        try quick.run()
        while quick.isRunning { try await Task.sleep(for: .milliseconds(20)) }  // reaped by Foundation
        #expect(await ChildExit.status(of: quick) == 5)
    }
}

/// A program file still open for writing ("text file busy") is launched once it is free.
@Suite(.tags(.unit)) struct TextFileBusyTests {
    private static func openScript() throws -> (path: String, descriptor: Int32) {
        let path = NSTemporaryDirectory() + "busy-\(UUID().uuidString).sh"
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0o755)
        try #require(descriptor >= 0)
        let body = "#!/bin/sh\necho started\n"
        _ = body.withCString { write(descriptor, $0, strlen($0)) }
        return (path, descriptor)
    }

    @Test func aProgramBusyForAMomentStillStarts() async throws {
        let (path, descriptor) = try Self.openScript()
        defer { try? FileManager.default.removeItem(atPath: path) }
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            close(descriptor)
        }
        let output = try await ProcessRunner.run(ProcessRequest(executable: path))
        #expect(output.status == 0 && String(decoding: output.standardOutput, as: UTF8.self) == "started\n")
    }

    @Test func aProgramBusyThroughoutIsALaunchErrorSayingSo() async throws {
        let (path, descriptor) = try Self.openScript()
        defer {
            close(descriptor)
            try? FileManager.default.removeItem(atPath: path)
        }
        let error = await #expect(throws: ProcessLaunchError.self) { try await ProcessRunner.run(ProcessRequest(executable: path)) }
        #expect(error?.description.contains("Text file busy") == true, "\(String(describing: error))")
    }
}
