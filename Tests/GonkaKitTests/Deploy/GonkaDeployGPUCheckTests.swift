import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// Phase 0's GPU check over SSH, with the nvidia-smi stand-in listing the GPUs the test
/// writes: one small GPU against the node's model is refused before anything changes and
/// deployed with the override; eight RTX 4090 get the official 8x4090 configuration when
/// the node file leaves the profile open.
extension GonkaDeployOverSSHTests {
    /// Makes the nvidia-smi stand-in of host 1 list `count` GPUs named `name` with `mib` MiB each.
    func installGPUs(_ sandbox: SandboxHosts, count: Int, name: String, mib: Int) throws {
        let list = String(repeating: "\(name), \(mib)\n", count: count)
        try list.write(to: GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("gpus"), atomically: true, encoding: .utf8)
        try SandboxHosts.giveToLoginUser(GonkaDeploySandbox.stateFolder(sandbox))
    }

    @Test func oneSmallGPUIsRefusedBeforeAnyChangeAndDeploysWithTheOverride() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        try installGPUs(sandbox, count: 1, name: "NVIDIA GeForce RTX 4090", mib: 24564)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }

        let refused = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "1"], in: folder)
        #expect(refused.status == 1, "\(refused.console)")
        #expect(refused.stdout.contains("[OK] GPUs: 1 × NVIDIA GeForce RTX 4090 (24564 MiB)"), "\(refused.console)")
        #expect(refused.stdout.contains("[WARN]   - one instance of Qwen/Qwen3-32B-FP8 runs on one GPU of 24564 MiB, less than the 80 GB (76294 MiB) it needs"))
        #expect(refused.stderr.contains("[ERROR] Refusing to deploy: the server's GPUs cannot run the node's configuration, and nothing was changed."))
        #expect(refused.stderr.contains("GPU_CHECK=warn in the node file or --ignore-gpu-check"), "\(refused.console)")
        #expect(!refused.stdout.contains("PHASE 1"), "no phase started")
        #expect(GonkaDeploySandbox.calls(sandbox) == [ServerGPUs.command], "only the GPUs were read: \(GonkaDeploySandbox.calls(sandbox))")

        // --check shows the finding and what a deployment would do, and goes on previewing.
        let check = try await GonkaDeploySandbox.run(sandbox, ["deploy", "nodes/node1.conf", "--check", "--phase", "1"], in: folder)
        #expect(check.status == 0, "\(check.console)")
        #expect(check.stdout.contains("[WARN] A deployment would stop here, before changing anything (GPU_CHECK=warn in the node file or --ignore-gpu-check deploys all the same)"))
        #expect(check.stdout.contains("  GPUs:               1 × NVIDIA GeForce RTX 4090 (24564 MiB)"), "\(check.console)")
        #expect(check.stdout.contains("[OK] Phase 1 checked: "))

        let overridden = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "1", "--ignore-gpu-check"], in: folder)
        #expect(overridden.status == 0, "\(overridden.console)")
        #expect(overridden.stdout.contains("[WARN] Deploying all the same (--ignore-gpu-check)"))
        #expect(overridden.stdout.contains("[OK] Phase 1 completed: "), "\(overridden.console)")
        let log = try GonkaDeploySandbox.lastRunLog(folder)
        #expect(log.contains("[WARN] The GPUs cannot run node-config.json's configuration x1 (Qwen/Qwen3-32B-FP8):"), "\(log)")

        // No GPU listed, or no nvidia-smi at all: a finding that stops the deployment too.
        try installGPUs(sandbox, count: 0, name: "", mib: 0)
        let empty = try await GonkaDeploySandbox.run(sandbox, ["deploy", "nodes/node1.conf", "--check", "--phase", "1"], in: folder)
        #expect(empty.stdout.contains("[WARN] GPUs: nvidia-smi lists no GPU\n"), "\(empty.console)")
        #expect(empty.stdout.contains("[WARN]   - no GPU was read: nvidia-smi lists no GPU\n"), "\(empty.console)")
        // As a shell answers for a command it cannot find, whatever this machine has installed (prepare puts the stand-in back).
        let absent = sandbox.hostDirectory(1).appendingPathComponent("bin/nvidia-smi")
        try "#!/bin/sh\necho 'sh: 1: nvidia-smi: not found' >&2\nexit 127\n".write(to: absent, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: absent.path)
        let missing = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "1"], in: folder)
        #expect(missing.status == 1, "\(missing.console)")
        #expect(missing.stdout.contains("[WARN]   - no GPU was read: nvidia-smi is not installed on the server (no NVIDIA driver)\n"), "\(missing.console)")
        #expect(missing.stderr.contains("[ERROR] Refusing to deploy: "))
    }

    @Test func eightGPUsGetTheMatchingOfficialConfiguration() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        try installGPUs(sandbox, count: 8, name: "NVIDIA GeForce RTX 4090", mib: 24564)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox, extra: ["NODE_CONFIG_PROFILE": "auto"]))
        defer { try? FileManager.default.removeItem(at: folder) }

        for phase in 1...3 {
            let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "\(phase)"], in: folder)
            #expect(run.status == 0, "phase \(phase): \(run.console)")
            #expect(run.stdout.contains("[OK] NODE_CONFIG_PROFILE=auto: picked x8-4090, the official 8x4090 configuration"), "\(run.console)")
            #expect(run.stdout.contains("  Profile:            x8-4090, the official 8x4090 configuration, picked for the GPUs\n"
                + "  GPUs:               8 × NVIDIA GeForce RTX 4090 (24564 MiB)\n"), "\(run.console)")
        }
        let deploy = GonkaDeploySandbox.mountPoint(sandbox) + "/gonka/deploy/join"
        let written = try String(contentsOf: folder.appendingPathComponent("nodes/quick-newton/node-config.json"), encoding: .utf8)
        #expect(written == NodeConfigJSONFile.render(.x8RTX4090))
        #expect(try String(contentsOfFile: deploy + "/node-config.json", encoding: .utf8) == written)
        #expect(written.contains("\"Qwen/Qwen3-32B-FP8\"") && written.contains("\"--tensor-parallel-size\""))

        // One H100 instead: the same node file gets the official 1xH100 configuration.
        try installGPUs(sandbox, count: 1, name: "NVIDIA H100 80GB HBM3", mib: 81559)
        let single = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "3"], in: folder)
        #expect(single.status == 0, "\(single.console)")
        #expect(single.stdout.contains("[OK] NODE_CONFIG_PROFILE=auto: picked x1, the official 1xH100 configuration"), "\(single.console)")
        #expect(try String(contentsOfFile: deploy + "/node-config.json", encoding: .utf8) == NodeConfigJSONFile.render(.x1))
    }
}
