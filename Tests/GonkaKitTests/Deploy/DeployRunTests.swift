import FleetKit
import FleetKitTesting
import Foundation
import GonkaKit
import FleetTestSupport
import Testing

/// The entry points run directly, with a scripted transport and a recording console: phase
/// 0's refusals as values, the go-ahead through the injected console, the caller's labels.
@Suite(.tags(.unit)) struct DeployRunTests {
    /// What a run showed: standard output and standard error as the console received them.
    final class RecordingConsole: Sendable {
        private let output = Locked("")
        private let errors = Locked("")

        func console(answer: String?) -> OperatorConsole {
            let output = output, errors = errors
            var read: (@Sendable () -> String?)?
            if let answer { read = { answer } }
            return OperatorConsole(writeOutput: { text in output.withLock { $0 += text } },
                                   writeError: { text in errors.withLock { $0 += text } }, readAnswer: read)
        }

        var shown: String { output.withLock { $0 } }
        var errorLines: String { errors.withLock { $0 } }
    }

    /// Settings over a node file in a new folder (its working directory; the caller removes
    /// it), commands answered by `transport`.
    func settings(_ nodeFile: String, console: OperatorConsole, transport: any Transport) throws -> NodeRunSettings {
        let folder = try GonkaFixtures.temporaryFolder()
        let file = folder.appendingPathComponent("nodes/node1.conf")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try nodeFile.write(to: file, atomically: true, encoding: .utf8)
        return NodeRunSettings(nodeFile: file, nodeFileName: "nodes/node1.conf", environment: [:], workingDirectory: folder,
                               logFolder: folder.appendingPathComponent("logs"), knownHostsFile: folder.appendingPathComponent("known_hosts"),
                               console: console, transport: transport)
    }

    /// A server answering the connection test, and `nvidia-smi` with `gpus`.
    static func server(gpus: String = "NVIDIA H100 80GB HBM3, 81559\n") -> ScriptedTransport {
        ScriptedTransport { _, command in command.script == ServerGPUs.command ? .exit(0, gpus) : .exit(0, "SSH OK\n") }
    }

    @Test func aRunTheOperatorDeclinesChangesNothing() async throws {
        let transport = Self.server()
        let recording = RecordingConsole()
        let declining = try settings(GonkaFixtures.nodeFile(), console: recording.console(answer: "no"), transport: transport)
        defer { try? FileManager.default.removeItem(at: declining.workingDirectory) }
        let report = try await DeployRun(settings: declining).run()
        #expect(report.outcome == .declined && !report.failed && report.phases == nil)
        #expect(recording.shown.contains("  Keyring Password:   ********************* (21 chars)\n"))
        #expect(recording.shown.contains("Please verify all parameters above.\n" + DeployConfirmation.prompt))
        #expect(recording.shown.contains("[INFO] Deployment cancelled by user\n"))
        #expect(transport.calls.map(\.command.script) == ["echo 'SSH OK'", ServerGPUs.command], "only the connection test and the GPU reading reached the server")
        #expect(recording.shown.contains("  Profile:            x1\n  GPUs:               1 × NVIDIA H100 80GB HBM3 (81559 MiB)\n"))
        #expect(recording.shown.contains("[OK] The GPUs can run node-config.json's configuration x1 (Qwen/Qwen3-32B-FP8)\n"))
        #expect(try String(contentsOf: report.logFile, encoding: .utf8).contains("Deployment cancelled by user"))
    }

    /// A signal cancels the tool's task: the running command is stopped (the transport
    /// reports it cancelled), no later command or phase starts, and the report and the log
    /// say the deployment was interrupted, instead of a failure to resume from.
    @Test func aCancelledDeploymentIsReportedInterrupted() async throws {
        let held = Locked(0)
        let transport = ScriptedTransport { host, command in
            if command.script == "echo 'SSH OK'" { return .exit(0, "SSH OK\n") }
            held.withLock { $0 += 1 }
            try? await Task.sleep(for: .seconds(3600))
            return .failure(TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran; it was stopped on the host"))
        }
        let recording = RecordingConsole()
        let settings = try settings(GonkaFixtures.nodeFile(), console: recording.console(answer: nil), transport: transport)
        defer { try? FileManager.default.removeItem(at: settings.workingDirectory) }
        let run = Task { try await DeployRun(settings: settings, confirmedInAdvance: true).run() }
        let deadline = ContinuousClock.now + .seconds(300)   // a hang guard: the first command comes much sooner
        while held.withLock({ $0 }) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        run.cancel()
        let report = try await run.value
        #expect(report.outcome == .interrupted && report.failed)
        #expect(held.withLock { $0 } == 1, "no command after the cancellation")
        let log = try String(contentsOf: report.logFile, encoding: .utf8)
        #expect(log.contains("interrupted: the deployment was cancelled; phases completed: none; stopped in: "), "\(log)")
        #expect(!log.contains("Deployment failed"), "\(log)")
    }

    /// GPUs that cannot run the configuration stop the run after the reading, before the
    /// question and any change; the caller's override and the node file's GPU_CHECK=warn let it on.
    @Test func gpusThatCannotRunTheConfigurationStopTheRunBeforeAnyChange() async throws {
        let transport = Self.server(gpus: "NVIDIA GeForce RTX 4090, 24564\n")
        let recording = RecordingConsole()
        let settings = try settings(GonkaFixtures.nodeFile(), console: recording.console(answer: "no"), transport: transport)
        defer { try? FileManager.default.removeItem(at: settings.workingDirectory) }
        let refused = try await DeployRun(settings: settings, labels: DeployChoiceLabels(gpuCheckOverride: "--ignore-gpu-check")).run()
        #expect(refused.outcome == .failed && refused.phases == nil && refused.gpu?.stopsDeployment == true)
        #expect(transport.calls.map(\.command.script) == ["echo 'SSH OK'", ServerGPUs.command])
        #expect(recording.shown.contains("[WARN] The GPUs cannot run node-config.json's configuration x1 (Qwen/Qwen3-32B-FP8):\n"), "\(recording.shown)")
        #expect(recording.shown.contains("[WARN]   - one instance of Qwen/Qwen3-32B-FP8 runs on one GPU of 24564 MiB"))
        #expect(recording.errorLines.contains("[ERROR] Refusing to deploy: the server's GPUs cannot run the node's configuration, and nothing was changed."))
        #expect(recording.errorLines.contains("GPU_CHECK=warn in the node file or --ignore-gpu-check"))
        #expect(!recording.shown.contains(DeployConfirmation.prompt), "no question before a refusal")

        let overridden = try await DeployRun(settings: settings, ignoreGPUCheck: true).run()
        #expect(overridden.outcome == .declined && overridden.gpu?.overridden == true)
        #expect(recording.shown.contains("[WARN] Deploying all the same (the GPU check override)\n"))
        let warned = try self.settings(GonkaFixtures.nodeFile(["GPU_CHECK": "warn"]), console: recording.console(answer: "no"), transport: transport)
        defer { try? FileManager.default.removeItem(at: warned.workingDirectory) }
        #expect(try await DeployRun(settings: warned).run().outcome == .declined)
        #expect(recording.shown.contains("[WARN] Deploying all the same (GPU_CHECK=warn)\n"))
    }

    @Test func anOpenProfileIsPickedForTheGPUsAndShownInTheParameterBlock() async throws {
        let transport = Self.server(gpus: String(repeating: "NVIDIA GeForce RTX 4090, 24564\n", count: 8))
        let recording = RecordingConsole()
        let settings = try settings(GonkaFixtures.nodeFile(["NODE_CONFIG_PROFILE": "auto"]), console: recording.console(answer: "no"), transport: transport)
        defer { try? FileManager.default.removeItem(at: settings.workingDirectory) }
        let report = try await DeployRun(settings: settings).run()
        #expect(report.outcome == .declined && report.gpu?.profile == .x8RTX4090 && report.gpu?.fits == true)
        #expect(recording.shown.contains("[OK] NODE_CONFIG_PROFILE=auto: picked x8-4090, the official 8x4090 configuration\n"), "\(recording.shown)")
        #expect(recording.shown.contains("  Profile:            x8-4090, the official 8x4090 configuration, picked for the GPUs\n"
            + "  GPUs:               8 × NVIDIA GeForce RTX 4090 (24564 MiB)\n"))
    }

    @Test func theCallersLabelsNameItsChoices() async throws {
        let refused = ScriptedTransport { _, _ in .exit(255, stderr: "ssh: connect to host 185.216.20.162 port 22: Connection refused") }
        let recording = RecordingConsole()
        var run = DeployRun(settings: try settings(GonkaFixtures.nodeFile(), console: recording.console(answer: nil), transport: refused),
                            checkMode: true)
        defer { try? FileManager.default.removeItem(at: run.settings.workingDirectory) }
        #expect(try await run.run().failed)
        #expect(recording.shown.contains("[INFO] check mode: only checks run; nothing on the server or here is changed\n"))
        #expect(recording.errorLines.contains("[ERROR] Deployment failed. Check log: "))
        run.labels = DeployChoiceLabels(checkMode: "--check")
        _ = try await run.run()
        #expect(recording.shown.contains("[INFO] --check: only checks run"))
    }

    @Test func refusalsAreValuesThrownBeforeAnythingStarts() async throws {
        let transport = ScriptedTransport { _, _ in .exit(0, "SSH OK\n") }
        let silent = try settings(GonkaFixtures.nodeFile(), console: .silent, transport: transport)
        let autoConfirmed = try settings(GonkaFixtures.nodeFile(["AUTO_CONFIRM": "yes"]), console: .silent, transport: transport)
        let withCold = try settings(GonkaFixtures.nodeFile(["COLD_KEY_NAME": "cold-1"]), console: .silent, transport: transport)
        defer { for folder in [silent, autoConfirmed, withCold].map(\.workingDirectory) { try? FileManager.default.removeItem(at: folder) } }
        await #expect(throws: DeployConfirmationError(subject: .deployment)) { try await DeployRun(settings: silent).run() }
        await #expect(throws: DeployConfirmationError(subject: .chainDataReset)) {
            try await DeployRun(settings: autoConfirmed, resetChainData: true).run()
        }
        await #expect(throws: GrantSetupError.coldKeyNameMissing) {
            try await DeployRun(settings: silent, confirmedInAdvance: true, grant: .runHere(inferenced: nil, searchPath: [])).run()
        }
        await #expect(throws: GrantSetupError.inferencedNotFound(path: "/nonexistent/inferenced")) {
            try await DeployRun(settings: withCold, confirmedInAdvance: true, grant: .runHere(inferenced: "/nonexistent/inferenced", searchPath: [])).run()
        }
        await #expect(throws: DeployConfirmationError(subject: .stuckSyncFix)) { try await StuckSyncFixRun(settings: silent).run() }
        var keyless = silent
        keyless.identityFile = URL(fileURLWithPath: "/nonexistent/key")
        await #expect(throws: NodeRunSetupError.unreadableKey(path: "/nonexistent/key")) {
            try await DeployRun(settings: keyless, confirmedInAdvance: true).run()
        }
        #expect(transport.calls.isEmpty, "no refusal reached the server")
    }

    @Test func renderingWritesTheNodeFiles() throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("node1.conf")
        try GonkaFixtures.nodeFile().write(to: file, atomically: true, encoding: .utf8)
        let report = try NodeFilesRendering(nodeFile: file, nodeFileName: "node1.conf").run()
        #expect(report.files.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["config.env", "node-config.json"])
        #expect(report.folder == folder.appendingPathComponent("quick-newton").path)
    }
}
