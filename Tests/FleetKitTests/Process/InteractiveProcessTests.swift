import Foundation
import FleetTestSupport
import Testing
import FleetKitTesting
@testable import FleetKit

/// The interactive pass-through mode: the program reads the "terminal" and writes its
/// standard error there itself, while its standard output is both shown and kept. The
/// runner's standard streams are stood in for by pipes, so the test process's own stay
/// untouched.
@Suite(.tags(.unit)) struct InteractiveProcessTests {
    /// Pipes standing in for a terminal: what the program reads, where its output is shown,
    /// where its standard error goes.
    /// Kept alive until the test's end: its pipes close when it goes.
    private final class FakeTerminal {
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()

        var streams: ProcessStreams {
            .interactive(input: input.fileHandleForReading.fileDescriptor, output: output.fileHandleForWriting.fileDescriptor,
                         error: error.fileHandleForWriting.fileDescriptor)
        }

        func type(_ text: String) throws { try input.fileHandleForWriting.write(contentsOf: Data(text.utf8)) }

        /// Closes the writing ends this process holds and reads what the program showed and wrote to standard error.
        func shown() throws -> (output: String, error: String) {
            try output.fileHandleForWriting.close()
            try error.fileHandleForWriting.close()
            let shown = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (shown, String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }

    @Test func theProgramReadsTheTerminalAndItsOutputIsShownAndKept() async throws {
        let terminal = FakeTerminal()
        try terminal.type("my passphrase\n")
        let script = "printf 'Confirm transaction? ' >&2; read answer; echo \"got: $answer\"; echo 'Block height: 42'; exit 5"
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script], streams: terminal.streams))
        let shown = try terminal.shown()
        #expect(output.status == 5)
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "got: my passphrase\nBlock height: 42\n")
        #expect(shown.output == "got: my passphrase\nBlock height: 42\n", "standard output is shown as it comes")
        #expect(shown.error == "Confirm transaction? ", "standard error goes to the terminal directly")
        #expect(output.standardError.isEmpty)
    }

    @Test func theKeptCopyIsBoundedWhileEverythingIsShown() async throws {
        let terminal = FakeTerminal()
        let request = ProcessRequest(executable: "/bin/sh", arguments: ["-c", "seq 1 2000"], outputLimit: 100, streams: terminal.streams)
        let output = try await ProcessRunner.run(request)
        let shown = try terminal.shown().output   // about 9 KB: the pipe holds it all
        #expect(output.standardOutput.count == 100 && output.truncated)
        #expect(shown.hasSuffix("1999\n2000\n") && shown.split(separator: "\n").count == 2000)
    }

    @Test func childrenStartWithNoSignalBlocked() async throws {
        let terminal = FakeTerminal()
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "grep SigBlk /proc/self/status"],
                                                                streams: terminal.streams))
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "SigBlk:\t0000000000000000\n")
        withExtendedLifetime(terminal) {}
    }

    @Test func cancellingStopsAProgramWaitingForTheTerminal() async throws {
        let terminal = FakeTerminal()
        let marker = "7\(Int.random(in: 100_000_000...999_999_999))"
        let request = ProcessRequest(executable: "/bin/sh", arguments: ["-c", "sleep \(marker) & read answer; wait"],
                                     killGrace: .seconds(5), streams: terminal.streams)
        let task = Task { try await ProcessRunner.run(request) }
        #expect(await eventually { ProcessScan.live(containing: "sleep \(marker)").count == 2 }, "the program and its child never started")
        task.cancel()
        let output = try await task.value
        #expect(output.cancelled && output.status == 128 + SIGTERM)
        #expect(await eventually { ProcessScan.live(containing: marker).isEmpty }, "left running: \(ProcessScan.live(containing: marker))")
        withExtendedLifetime(terminal) {}
    }

    @Test func aProgramIgnoringTermIsKilledAtItsTimeLimit() async throws {
        let terminal = FakeTerminal()
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; read answer; echo never"],
                                                                timeout: .milliseconds(300), killGrace: .milliseconds(300), streams: terminal.streams))
        #expect(output.timedOut && output.status == 128 + SIGKILL)
        #expect(output.standardOutput.isEmpty)
        withExtendedLifetime(terminal) {}
    }
}
