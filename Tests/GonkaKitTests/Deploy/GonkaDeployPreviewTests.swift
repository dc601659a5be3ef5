import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `--check` on a server that has nothing yet previews phases 4 and 5 instead of failing, and
/// a root login without sudo deploys: root comes from the engine's privilege mechanism.
extension GonkaDeployOverSSHTests {
    @Test func checkPreviewsPhasesFourAndFiveOnAFreshServer() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }

        let four = try await GonkaDeploySandbox.run(sandbox, ["deploy", "nodes/node1.conf", "--check", "--phase", "4"], in: folder)
        #expect(four.status == 0, "\(four.console)")
        #expect(!four.console.contains("[ERROR]"), "\(four.console)")
        for line in ["[INFO] tmkms and node containers: would change", "[INFO] warm key quick-newton: would change",
                     "the warm key quick-newton would be looked up and created once they are there",
                     "[INFO] participant registration: would change", "[OK] Phase 4 checked: "] {
            #expect(four.stdout.contains(line), "missing \(line) in \(four.console)")
        }

        let five = try await GonkaDeploySandbox.run(sandbox, ["deploy", "nodes/node1.conf", "--check", "--phase", "5"], in: folder)
        #expect(five.status == 0, "\(five.console)")
        #expect(!five.console.contains("[ERROR]"), "\(five.console)")
        let deploy = GonkaDeploySandbox.mountPoint(sandbox) + "/gonka/deploy/join"
        for line in ["[INFO] config.toml persistent_peers: would change", "[INFO] app.toml pruning: would change",
                     "\(deploy)/.inference/config/config.toml does not exist yet (the node creates it on its first start)",
                     "[INFO] config.toml state sync: would change", "[OK] Phase 5 checked: "] {
            #expect(five.stdout.contains(line), "missing \(line) in \(five.console)")
        }
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.hasPrefix("docker compose up") || $0.contains("keys add") },
                "a check starts and creates nothing")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nodes/quick-newton/warm_address.txt").path))
    }

    @Test func rootLoginWithoutSudoDeploysThroughTheEnginesPrivilege() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        // The login reports uid 0 and sudo is not there: a call to it fails the command.
        let bin = sandbox.hostDirectory(1).appendingPathComponent("bin")
        let shims = [
            "id": "#!/bin/sh\nif [ \"$1\" = -u ]; then echo 0; else exec /usr/bin/id \"$@\"; fi\n",
            "sudo": "#!/bin/sh\necho \"sudo $*\" >>\"$SANDBOX_DIR/state/calls.log\"\necho 'sh: 1: sudo: not found' >&2\nexit 127\n",
        ]
        for (name, text) in shims {
            let file = bin.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        defer { try? FileManager.default.removeItem(at: bin.appendingPathComponent("id")) }
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }
        // Phase 1 edits /etc/fstab, which only the sudo stand-in redirects; phases 2 to 8 run as root directly.
        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "2"], in: folder)
        #expect(run.status == 0, "\(run.console)")
        for phase in 2...8 { #expect(run.stdout.contains("[OK] Phase \(phase) completed:"), "phase \(phase): \(run.console)") }
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.hasPrefix("sudo") }, "sudo was called: \(GonkaDeploySandbox.calls(sandbox))")
        #expect(try String(contentsOfFile: GonkaDeploySandbox.mountPoint(sandbox) + "/gonka/deploy/join/.inference/config/app.toml", encoding: .utf8)
            .contains("pruning = \"custom\""), "root edits of phase 5 were made")
    }
}
