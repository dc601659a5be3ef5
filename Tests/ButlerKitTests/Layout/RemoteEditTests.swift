@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The line edits that carry keys and URLs on standard input, run by a real shell.
@Suite(.tags(.unit)) struct RemoteEditTests {
    func withFile(_ text: String, _ body: (URL) async throws -> Void) async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("edit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("start_aztec_node.sh")
        try text.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: file.path)
        try await body(file)
    }

    @Test func replacesLinesKeepsContinuationsAndBacksUp() async throws {
        let text = "aztec start \\\n  --l1-rpc-urls \"http://old:8545\" \\\n  --sequencer.validatorPrivateKey 0xold \\\n  --p2p.maxTxPoolSize 1000000000\n"
        try await withFile(text) { file in
            let edits = [RemoteEdit.Replacement(marker: "--l1-rpc-urls", line: "  --l1-rpc-urls \"http://new:8545\"", missing: .fail),
                         RemoteEdit.Replacement(marker: "--sequencer.validatorPrivateKey", line: "  --sequencer.validatorPrivateKeys=\"0xa,0xb\" \\", missing: .fail),
                         RemoteEdit.Replacement(marker: "EXTRA=", line: "EXTRA=1", missing: .append)]
            let transport = LocalTransport()
            let host = RemoteHost(name: "local", address: "127.0.0.1")
            let input = Data(RemoteEdit.input(edits))
            #expect(try await !transport.run(RemoteCommand(RemoteEdit.linesMatch(in: file.path), standardInput: input), on: host).succeeded)
            let result = try await transport.run(RemoteCommand(RemoteEdit.replaceLines(in: file.path), standardInput: input), on: host)
            #expect(result.succeeded, "\(result.standardError)")
            #expect(try String(contentsOf: file, encoding: .utf8)
                == "aztec start \\\n  --l1-rpc-urls \"http://new:8545\" \\\n  --sequencer.validatorPrivateKeys=\"0xa,0xb\" \\\n  --p2p.maxTxPoolSize 1000000000\nEXTRA=1\n")
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o750, "the mode is kept")
            let backups = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path).filter { $0.contains(".backup.") }
            #expect(backups.count == 1)
            #expect(try String(contentsOf: file.deletingLastPathComponent().appendingPathComponent(backups[0]), encoding: .utf8) == text)
            let backupMode = try FileManager.default.attributesOfItem(atPath: file.deletingLastPathComponent().appendingPathComponent(backups[0]).path)[.posixPermissions] as? Int
            #expect(backupMode == 0o600, "a backup may hold keys: never wider than 0600")
            #expect(try await transport.run(RemoteCommand(RemoteEdit.linesMatch(in: file.path), standardInput: input), on: host).succeeded)
        }
    }

    @Test func aRequiredLineThatIsMissingFailsAndChangesNothing() async throws {
        try await withFile("aztec start\n") { file in
            let input = Data(RemoteEdit.input([.init(marker: "--l1-rpc-urls", line: "  --l1-rpc-urls \"x\"", missing: .fail)]))
            let result = try await LocalTransport().run(RemoteCommand(RemoteEdit.replaceLines(in: file.path), standardInput: input),
                                                        on: RemoteHost(name: "local", address: "127.0.0.1"))
            #expect(result.exitStatus == 4 && result.standardError.contains("no line with --l1-rpc-urls"))
            #expect(try String(contentsOf: file, encoding: .utf8) == "aztec start\n")
        }
    }

    @Test func urlCredentialsAreMasked() {
        #expect(URLCredentials.masked("https://eth-mainnet.example/v2/abcdef123456") == "https://eth-mainnet.example/***")
        #expect(URLCredentials.masked("http://65.109.116.87:8545") == "http://65.109.116.87:8545")
        #expect(URLCredentials.masked("http://user:pw@rpc.example:8545/") == "http://***@rpc.example:8545")
        #expect(URLCredentials.masked("wss://rpc.example?key=1") == "wss://rpc.example/***")
        #expect(URLCredentials.masked("not a url") == "***")
    }
}
