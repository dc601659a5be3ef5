import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `gonka-deploy backup` against a deployed sandbox host: the FAQ's backup set, modes,
/// checksums, nothing secret on the console, never overwriting.
extension GonkaDeployFullRunTests {
    @Test func backupFetchesTheSecretsWithModesAndChecksumsAndNeverOverwrites() async throws {
        let sandbox = try currentSandbox()
        try await GonkaDeploySandbox.prepare(sandbox, filesystem: "ext4")
        let folder = try GonkaDeploySandbox.workFolder(nodeFile: GonkaDeploySandbox.nodeFile(sandbox))
        defer { try? FileManager.default.removeItem(at: folder) }

        // Before the node exists there is nothing to back up: an error, no folder.
        let early = try await GonkaDeploySandbox.run(sandbox, ["backup", "nodes/node1.conf"], in: folder)
        #expect(early.status == 1 && early.stderr.contains("none of the backup set is on"), "\(early.console)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("nodes/quick-newton").path))

        let deploy = try await GonkaDeploySandbox.run(sandbox, ["nodes/node1.conf", "--yes"], in: folder)
        #expect(deploy.status == 0, "\(deploy.console)")
        #expect(deploy.stdout.contains("  5. Back up the keys that cannot be recreated (tmkms, keyring, node key, password): gonka-deploy backup nodes/node1.conf\n"),
                "the final report reminds of the backup")
        // What the containers keep on the server (the stand-ins do not write these).
        let join = GonkaDeploySandbox.mountPoint(sandbox) + "/gonka/deploy/join"
        let secret = "consensus-secret-\(UInt32.random(in: 0 ... .max))"
        for (path, text) in [(".tmkms/secrets/priv_validator_key.softsign", secret), (".inference/keyring-file/quick-newton.info", "keyring-entry"),
                             (".inference/config/node_key.json", #"{"priv_key":{"value":"nodekey"}}"#)] {
            let url = URL(fileURLWithPath: join + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: false, encoding: .utf8)
        }

        let backup = try await GonkaDeploySandbox.run(sandbox, ["backup", "nodes/node1.conf", "--json"], in: folder)
        #expect(backup.status == 0, "\(backup.console)")
        for text in [backup.console] { #expect(!text.contains(secret) && !text.contains(GonkaDeploySandbox.password) && !text.contains("nodekey")) }
        let report = try JSONDecoder().decode(BackupShape.self, from: Data(backup.stdout.utf8))
        let backupFolder = URL(fileURLWithPath: report.folder)
        #expect(backupFolder.deletingLastPathComponent().path == folder.appendingPathComponent("nodes/quick-newton").path)
        #expect(backupFolder.lastPathComponent.range(of: #"^backup-\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d$"#, options: .regularExpression) != nil)
        #expect(report.missing.isEmpty)
        #expect(try FileManager.default.attributesOfItem(atPath: backupFolder.path)[.posixPermissions] as? Int == 0o700)
        for name in ["server-secrets.tar.gz", "keyring-password.txt", "SHA256SUMS"] {
            #expect(try FileManager.default.attributesOfItem(atPath: backupFolder.appendingPathComponent(name).path)[.posixPermissions] as? Int == 0o600, "\(name)")
        }
        #expect(try String(contentsOf: backupFolder.appendingPathComponent("keyring-password.txt"), encoding: .utf8) == GonkaDeploySandbox.password + "\n")
        // The checksums verify and the archive holds the three paths with their contents.
        let check = try await GonkaFixtures.bash("cd \"$1\" && sha256sum -c SHA256SUMS && mkdir x && tar -xzf server-secrets.tar.gz -C x && cat x/.tmkms/secrets/priv_validator_key.softsign && ls x/.inference/keyring-file x/.inference/config",
                                                 arguments: [backupFolder.path])
        #expect(check.output.contains("server-secrets.tar.gz: OK") && check.output.contains("keyring-password.txt: OK"), "\(check)")
        #expect(check.output.contains(secret) && check.output.contains("quick-newton.info") && check.output.contains("node_key.json"), "\(check)")

        // A backup folder of that name existing already (folders for the next seconds made here): refused, nothing changed.
        try FileManager.default.removeItem(at: backupFolder.appendingPathComponent("x"))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        let taken = (0..<30).map { backupFolder.deletingLastPathComponent().appendingPathComponent("backup-" + formatter.string(from: Date().addingTimeInterval(Double($0)))) }
        for name in taken where !FileManager.default.fileExists(atPath: name.path) {
            try FileManager.default.createDirectory(at: name, withIntermediateDirectories: false)
            try "earlier".write(to: name.appendingPathComponent("SHA256SUMS"), atomically: false, encoding: .utf8)
        }
        let again = try await GonkaDeploySandbox.run(sandbox, ["backup", "nodes/node1.conf"], in: folder)
        #expect(again.status == 1 && again.stderr.contains("exists already; a backup is never overwritten"), "\(again.console)")
        for name in taken { #expect(try String(contentsOf: name.appendingPathComponent("SHA256SUMS"), encoding: .utf8) != "", "\(name.path)") }
        #expect(try String(contentsOf: taken[taken.count - 1].appendingPathComponent("SHA256SUMS"), encoding: .utf8) == "earlier")
    }
}

/// The fields of `backup --json` the test reads.
struct BackupShape: Decodable {
    let folder: String
    let missing: [String]
}
