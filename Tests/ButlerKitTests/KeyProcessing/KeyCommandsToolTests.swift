import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The guide's commands through the built binary where no chain is needed: storing private
/// keys in a 0600 file, usage errors, and check-hosts' exit code and JSON on loopback.
@Suite(.tags(.unit)) struct KeyCommandsToolTests {
    static let key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
    static let bls = "0x09d2913bbbf998f7a0018203321c5427e3b912fb9f57ed6004c89ea9abf0c413"
    static let privateKeys = #"{"schemaVersion": 1, "validators": [{"attester": {"eth": "\#(key)", "bls": "\#(bls)"}, "publisher": "\#(key)", "feeRecipient": "0x\#(String(repeating: "0", count: 64))"}]}"#

    @Test func storesInANewFileAndWritesThePublicKeys() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("new.json")
        try Self.privateKeys.write(to: input, atomically: true, encoding: .utf8)
        let store = folder.appendingPathComponent("vault/keys.json")
        try FileManager.default.createDirectory(at: store.deletingLastPathComponent(), withIntermediateDirectories: true)
        let environment = ["XDG_CONFIG_HOME": folder.path]
        let arguments = ["--network", "testnet", "--data-dir", folder.path, "process-private-keys", input.path, "-o", folder.appendingPathComponent("public.json").path]
        let done = try await runAztecButler(arguments + ["--store-file", store.path], environment: environment)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("0x70997970C51812dc3A010C7d01b50e0d17dc79C8") && done.stderr.contains("provider queue was not checked"))
        #expect(try String(contentsOf: store, encoding: .utf8) == Self.privateKeys)
        #expect(try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int == 0o600)
        #expect(try String(contentsOf: folder.appendingPathComponent("public.json"), encoding: .utf8).contains("0x93b08f1aa2fa961575b4ed2b6222dc7576b5f8bf6b7cb93d6ddb6824bad0e7ca"))
        for output in [done.stdout, done.stderr] { #expect(!output.contains(String(Self.key.dropFirst(2))) && !output.contains(String(Self.bls.dropFirst(2)))) }

        let again = try await runAztecButler(arguments + ["--store-file", store.path], environment: environment)
        #expect(again.status != 0 && again.stderr.contains("already exists"), "an earlier batch is never replaced")
        let nowhere = try await runAztecButler(arguments, environment: environment)
        #expect(nowhere.status == 2 && nowhere.stderr.contains("--store-file FILE or --store-command COMMAND"))
        let broken = try await runAztecButler(arguments + ["--store-command", "vault 'kv"], environment: environment)
        #expect(broken.status == 2 && broken.stderr.contains("the storage command cannot be split into words: a single quote is not closed"))
        let failing = try await runAztecButler(arguments + ["--store-command", "/bin/sh -c 'cat >/dev/null; echo denied \(Self.key) >&2; exit 3'"], environment: environment)
        #expect(failing.status != 0 && failing.stderr.contains("exited with status 3: denied ***") && !failing.stderr.contains(String(Self.key.dropFirst(2))))
    }

    @Test func checkHostsExitsOneOnAClosedPort() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let open = try LoopbackPort.Listener()
        defer { open.close() }
        let closed = try LoopbackPort.Listener()
        closed.close()
        let config = folder.appendingPathComponent("aztec-butler")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try #"{"up": {"ip": "127.0.0.1", "services": {"p2p": {"port": \#(open.port)}}}, "down": {"ip": "127.0.0.1", "services": {"p2p": {"port": \#(closed.port)}}}}"#
            .write(to: config.appendingPathComponent("mainnet-hosts.json"), atomically: true, encoding: .utf8)
        let environment = ["XDG_CONFIG_HOME": folder.path]
        let all = try await runAztecButler(["--network", "mainnet", "check-hosts", "--json"], environment: environment)
        #expect(all.status == 1, "\(all.stderr)")
        let report = try JSONDecoder().decode(HostCheckReport.self, from: Data(all.stdout.utf8))
        #expect(report.results["up"]?.p2p?.success == true && report.results["down"]?.p2p?.error == "Connection refused")
        let one = try await runAztecButler(["--network", "mainnet", "check-hosts", "--host", "up", "--check", "p2p"], environment: environment)
        #expect(one.status == 0 && one.stdout.contains("Summary: 1/1 checks passed"), "\(one.stderr)")
        let wrong = try await runAztecButler(["--network", "mainnet", "check-hosts", "--check", "ping"], environment: environment)
        #expect(wrong.status == 2 && wrong.stderr.contains("dns, p2p, rpc, all"))
    }
}
