import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `gonka-deploy` against a real sshd host whose disk tools (blkid, wipefs, mkfs.ext4, lsblk,
/// mount) are shims keeping state, so a second run sees what the first one did.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(1))
struct GonkaDeployOverSSHTests {
    /// A fresh ed25519 public key line with `comment`, for ADMIN_SSH_KEYS.
    func adminKey(comment: String, in folder: URL) async throws -> String {
        let path = folder.appendingPathComponent("admin_key").path
        let made = try await ProcessRunner.run(ProcessRequest(executable: "/usr/bin/ssh-keygen",
                                                              arguments: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path]))
        #expect(made.status == 0)
        return try String(contentsOf: URL(fileURLWithPath: path + ".pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func freshDiskIsFormattedOnceAndTheReRunOnlySkips() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox)
        let keyFolder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: keyFolder) }
        let comment = "admin-\(UInt32.random(in: 0 ... .max))"
        let key = try await adminKey(comment: comment, in: keyFolder)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox, extra: ["ADMIN_SSH_KEYS": "\"\(key)\""]))
        defer { try? FileManager.default.removeItem(at: folder) }
        let mount = GonkaDeploySandbox.mountPoint(sandbox)

        // No terminal, no AUTO_CONFIRM, no --yes: refused before any connection.
        let loginsBefore = try sandbox.acceptedLogins(1)
        let refused = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--phase", "1"], in: folder)
        #expect(refused.status == 2, "\(refused.console)")
        #expect(refused.stderr.contains("AUTO_CONFIRM=yes") && refused.stderr.contains("--yes"))
        #expect(try sandbox.acceptedLogins(1) == loginsBefore)

        // --check: reports what would change, changes nothing, needs no confirmation.
        let check = try await GonkaDeploySandbox.run(sandbox, ["deploy", "nodes/node1.conf", "--phase", "1", "--check"], in: folder)
        #expect(check.status == 0, "\(check.console)")
        #expect(check.stdout.contains("[INFO] volume filesystem: would change"))
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.hasPrefix("mkfs.ext4") || $0.hasPrefix("mount ") })
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nodes/quick-newton/volume.txt").path))

        // The deploy, called as the original is: gonka-deploy nodes/node1.conf.
        let logins = try sandbox.acceptedLogins(1)
        let first = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "1"], in: folder)
        #expect(first.status == 0, "\(first.console)")
        #expect(try sandbox.acceptedLogins(1) == logins + 1, "the whole run uses one SSH connection")
        #expect(GonkaDeploySandbox.calls(sandbox).filter { $0.hasPrefix("mkfs.ext4") } == ["mkfs.ext4 -q /dev/vdc"])
        let uuid = GonkaDeploySandbox.state(sandbox, "disk/vdc/uuid").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(uuid.count == 36)
        #expect(GonkaDeploySandbox.state(sandbox, "mounts") == "/dev/vdc on \(mount) type ext4 (rw,relatime)\n")
        #expect(GonkaDeploySandbox.state(sandbox, "fstab") == "# /etc/fstab of the test host\nUUID=\(uuid) \(mount) ext4 defaults,nofail 0 2\n")
        let volumeFile = folder.appendingPathComponent("nodes/quick-newton/volume.txt")
        #expect(try String(contentsOf: volumeFile, encoding: .utf8) == uuid + "\n")
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/gdk-\(UInt16.random(in: 0 ... .max))"))
        let keys = try await transport.run(RemoteCommand("cat ~/.ssh/authorized_keys"), on: sandbox.hosts[0])
        await transport.close()
        #expect(keys.standardOutput.split(separator: "\n").filter { $0 == key }.count == 1)

        // Phase 0's display, console and log lines in the original's formats; the password never shown.
        #expect(first.stdout.contains("  Keyring Password:   \(String(repeating: "*", count: 21)) (21 chars)"))
        #expect(first.stdout.contains("  SSH Status:         ✓ Connected"))
        #expect(first.stdout.contains("[INFO] PHASE 1: SERVER PREPARATION\n"))
        #expect(first.stdout.contains("[OK] Phase 1 completed:"))
        let logNames = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("logs").path)
        // The --check run has a log of its own (or shares the second's file); the newest is the deploy's.
        let logName = try #require(logNames.filter { $0.range(of: #"^quick-newton_\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.log$"#, options: .regularExpression) != nil }.sorted().last)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("logs/quick-newton_latest.log").path) == logName)
        let log = try GonkaDeploySandbox.latestLog(folder)
        for line in log.split(separator: "\n") {
            #expect(line.range(of: #"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[(INFO|CHECK|EXEC|OUTPUT|OK|SUCCESS|SKIP|WARN|ERROR)\] "#, options: .regularExpression) != nil,
                    "not in the original's line format: \(line)")
        }
        #expect(log.contains("] [EXEC] volume filesystem"))
        #expect(log.contains("] [OK] All required parameters validated"))
        for text in [log, first.console] { #expect(!text.contains(GonkaDeploySandbox.password)) }

        // The re-run (AUTO_CONFIRM from the environment): every step is already done.
        let second = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--phase", "1"], in: folder, environment: ["AUTO_CONFIRM": "yes"])
        #expect(second.status == 0, "\(second.console)")
        #expect(GonkaDeploySandbox.calls(sandbox).filter { $0.hasPrefix("mkfs.ext4") }.count == 1)
        #expect(GonkaDeploySandbox.calls(sandbox).filter { $0.hasPrefix("mount ") }.count == 1)
        #expect(GonkaDeploySandbox.state(sandbox, "fstab").components(separatedBy: "UUID=").count == 2, "one fstab entry")
        let again = try GonkaDeploySandbox.lastRunLog(folder)
        #expect(!again.contains("[EXEC]"), "\(again)")
        #expect(again.contains("[SKIP] volume filesystem: already done"))
        #expect(again.contains("[SKIP] admin SSH key \(comment): already done"))
    }

    @Test func diskHoldingXFSIsLeftIntactWithAClearError() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "xfs")
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "1"], in: folder)
        #expect(run.status == 1)
        #expect(run.stderr.contains("[ERROR] volume filesystem: failed: check failed: /dev/vdc holds a xfs filesystem; gonka-deploy never formats"), "\(run.console)")
        #expect(run.stderr.contains("[ERROR] Deployment failed: phase 1:"))
        #expect(!GonkaDeploySandbox.calls(sandbox).contains { $0.hasPrefix("mkfs") || $0.hasPrefix("mount ") })
        #expect(GonkaDeploySandbox.state(sandbox, "disk/vdc/type") == "xfs\n")
        #expect(GonkaDeploySandbox.state(sandbox, "fstab") == "# /etc/fstab of the test host\n")
        #expect(try GonkaDeploySandbox.latestLog(folder).contains("[ERROR] volume filesystem: failed: check failed: /dev/vdc holds a xfs filesystem"))
    }

    @Test func hostileMountPointAndPasswordRunNothing() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox)
        let marker = GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("INJECTED").path
        let mount = GonkaDeploySandbox.mountPoint(sandbox) + " x';touch \(marker);'$(touch \(marker))"
        let password = "p'w;$(touch \(marker))`touch \(marker)`"
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox, extra: [
            "VOLUME_MOUNT": ShellQuote.quote(mount), "KEYRING_PASSWORD": ShellQuote.quote(password),
        ]))
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "1"], in: folder)
        #expect(run.status == 0, "\(run.console)")
        #expect(!FileManager.default.fileExists(atPath: marker), "a value reached a shell unquoted")
        #expect(FileManager.default.fileExists(atPath: mount), "the mount point is created under its literal name")
        let escaped = mount.replacingOccurrences(of: " ", with: "\\040")
        #expect(GonkaDeploySandbox.state(sandbox, "fstab").contains(" \(escaped) ext4 defaults,nofail 0 2\n"))
        let log = try GonkaDeploySandbox.latestLog(folder)
        #expect(!run.console.contains(password) && !log.contains(password))
    }

    @Test func phasesOneToThreeThenTheReRunOnlySkips() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/gdk-\(UInt16.random(in: 0 ... .max))"))
        defer { Task { await transport.close() } }
        _ = try await transport.run(RemoteCommand("rm -f ~/.local/bin/hf"), on: sandbox.hosts[0])
        let mount = GonkaDeploySandbox.mountPoint(sandbox)
        let deploy = mount + "/gonka/deploy/join"

        let first = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "1"], in: folder)
        #expect(first.status == 0, "\(first.console)")
        #expect(first.stdout.contains("[OK] Phase 3 completed:"), "\(first.console)")
        let calls = GonkaDeploySandbox.calls(sandbox)
        #expect(!calls.contains { $0.hasPrefix("mkfs") }, "an ext4 disk is kept")
        #expect(calls.contains("git clone -b main https://github.com/gonka-ai/gonka.git \(mount)/gonka"))
        #expect(calls.contains("pipx install huggingface_hub"))
        #expect(calls.contains("hf download Qwen/Qwen3-32B-FP8 HF_HOME=\(mount)/hf"))
        #expect(FileManager.default.fileExists(atPath: mount + "/hf/hub/models--Qwen--Qwen3-32B-FP8/snapshots/0123abcd/config.json"))
        let local = folder.appendingPathComponent("nodes/quick-newton")
        for (name, mode) in [("config.env", 0o600), ("node-config.json", 0o644)] {
            #expect(try Data(contentsOf: local.appendingPathComponent(name)) == Data(contentsOf: URL(fileURLWithPath: deploy + "/" + name)))
            #expect(try FileManager.default.attributesOfItem(atPath: deploy + "/" + name)[.posixPermissions] as? Int == mode)
        }
        let dotEnv = try String(contentsOf: URL(fileURLWithPath: deploy + "/.env"), encoding: .utf8)
        #expect(dotEnv.hasPrefix("DAPI_API__PUBLIC_URL=http://\(sandbox.hosts[0].address):8000\n"))
        #expect(dotEnv.contains("\nKEYRING_PASSWORD=\(GonkaDeploySandbox.password)\n") && !dotEnv.contains("export "))
        #expect(try FileManager.default.attributesOfItem(atPath: deploy + "/.env")[.posixPermissions] as? Int == 0o600)
        let log = try GonkaDeploySandbox.latestLog(folder)
        #expect(!log.contains(GonkaDeploySandbox.password) && !first.console.contains(GonkaDeploySandbox.password))

        let second = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "2"], in: folder)
        #expect(second.stdout.contains("[OK] Phase 3 completed: 0 steps done"), "\(second.console)")
        let secondLog = try GonkaDeploySandbox.lastRunLog(folder)
        #expect(!secondLog.contains("[EXEC]"), "\(secondLog)")
        let again = GonkaDeploySandbox.calls(sandbox)
        #expect(again.filter { $0.hasPrefix("git clone") }.count == 1 && again.filter { $0.hasPrefix("hf download") }.count == 1)

        // A checkout of another repository is never used or replaced.
        try "https://github.com/someone/else.git\n".write(toFile: mount + "/gonka/.git/origin-url", atomically: false, encoding: .utf8)
        let wrong = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "2"], in: folder)
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("Wrong git remote of \(mount)/gonka: https://github.com/someone/else.git. Please remove"), "\(wrong.console)")
    }

    @Test func warmKeyIsCreatedOnceAndNoSecretReachesLogsConsoleOrArgv() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        let marker = GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("INJECTED").path
        let password = "pw'\\\"q;$(touch \(marker))`touch \(marker)` \(UInt32.random(in: 0 ... .max))"
        let words = ["orbit", "velvet", "glacier", "pumpkin", "harbor", "lantern", "meadow", "quartz", "saddle", "thistle", "walnut", "zephyr"]
        let mnemonic = (0..<24).map { _ in words[Int.random(in: 0..<words.count)] }.joined(separator: " ")
        try mnemonic.write(to: GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("next-mnemonic"), atomically: false, encoding: .utf8)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox, extra: ["KEYRING_PASSWORD": ShellQuote.quote(password)]))
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = folder.appendingPathComponent("nodes/quick-newton")

        let seen = Locked<[String]>([])
        let watcher = Task {
            while !Task.isCancelled {
                let lines = ProcessScan.live(containingAnyOf: [password, mnemonic])
                if !lines.isEmpty { seen.withLock { $0 += lines } }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let first = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "1"], in: folder)
        let second = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--from-phase", "4"], in: folder)
        watcher.cancel()
        _ = await watcher.value

        #expect(first.status == 0 && first.stdout.contains("[OK] Phase 4 completed:"), "\(first.console)")
        #expect(seen.withLock { $0 }.isEmpty, "a secret reached an argv: \(seen.withLock { $0 })")
        #expect(!FileManager.default.fileExists(atPath: marker), "the password reached a shell unquoted")
        #expect(GonkaDeploySandbox.state(sandbox, "keys-created") == "add quick-newton\n", "one key, created once")
        #expect(GonkaDeploySandbox.state(sandbox, "keyring/password") == password + "\n", "the password reached inferenced intact, on stdin")
        let address = GonkaDeploySandbox.state(sandbox, "keyring/quick-newton.address")
        #expect(try String(contentsOf: local.appendingPathComponent("warm_address.txt"), encoding: .utf8) == address)
        let keyFile = local.appendingPathComponent("warm_key.txt")
        let saved = try String(contentsOf: keyFile, encoding: .utf8)
        #expect(saved.contains(mnemonic) && saved.contains("- address: \(address.dropLast())"))
        #expect(try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int == 0o600)
        #expect(GonkaDeploySandbox.calls(sandbox).contains("docker compose up tmkms node -d --no-deps"))
        let log = try GonkaDeploySandbox.latestLog(folder)
        for text in [log, first.console, second.console] {
            #expect(!text.contains(mnemonic) && !text.contains(password))
        }

        // Registered once under the cold account, looked up by its address (derived from ACCOUNT_PUBKEY), never the warm one.
        let cold = FakeSeedAPI.coldAccount
        #expect(GonkaDeploySandbox.state(sandbox, "participants") == cold.publicKey + "\n")
        let registration = try String(contentsOf: local.appendingPathComponent("registration.txt"), encoding: .utf8)
        #expect(registration.contains("Participant registration successful"))
        #expect(first.stdout.contains("[OK] Participant verified in blockchain: \(GonkaDeploySandbox.seedURL(sandbox))/v1/participants/\(cold.address)"))
        let lookups = GonkaDeploySandbox.state(sandbox, "seed-requests.log").split(separator: "\n").filter { $0.hasPrefix("/v1/participants/") }
        #expect(!lookups.isEmpty && lookups.allSatisfy { $0 == "/v1/participants/\(cold.address)" }, "\(lookups)")
        #expect(GonkaDeploySandbox.calls(sandbox).contains { $0.hasPrefix("inferenced register-new-participant http://\(sandbox.hosts[0].address):8000 \(cold.publicKey) --node-address ") })

        // The re-run finds the key and the participant and changes nothing.
        #expect(second.stdout.contains("[SKIP] participant registration: already done"), "\(second.console)")
        #expect(second.status == 0, "\(second.console)")
        #expect(GonkaDeploySandbox.calls(sandbox).filter { $0.hasPrefix("inferenced keys add") }.count == 1)
        #expect(try String(contentsOf: keyFile, encoding: .utf8) == saved)
        #expect(!(try GonkaDeploySandbox.lastRunLog(folder)).contains("[EXEC]"))

        // A keyring that cannot be read (another password) never leads to a new key.
        try "someone else's password\n".write(to: GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("keyring/password"), atomically: false, encoding: .utf8)
        let locked = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes", "--phase", "4"], in: folder)
        #expect(locked.status == 1 && locked.stderr.contains("incorrect passphrase; no key is created"), "\(locked.console)")
        #expect(GonkaDeploySandbox.state(sandbox, "keys-created") == "add quick-newton\n")
    }

    @Test func hostileKeyNameIsRefusedBeforeAnyConnection() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox)
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox, extra: ["KEY_NAME": "'k;touch /tmp/x'"]))
        defer { try? FileManager.default.removeItem(at: folder) }
        let logins = try sandbox.acceptedLogins(1)
        let run = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes"], in: folder)
        #expect(run.status == 2 && run.stderr.contains("KEY_NAME"), "\(run.console)")
        #expect(try sandbox.acceptedLogins(1) == logins)
        #expect(GonkaDeploySandbox.calls(sandbox).isEmpty)
    }
}
