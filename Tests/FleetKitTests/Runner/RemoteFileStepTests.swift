import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

/// `Step.remoteFile`: written when missing or different (content or mode), skipped when the same.
@Suite(.tags(.unit)) struct RemoteFileStepTests {
    @Test func writesOnceThenSkipsAndRepairsTheMode() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("remote-file-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("dir with space/config.env").path
        let step = Step.remoteFile("config.env", path: path, mode: 0o600) { Data("export A='x y'\n".utf8) }
        let host = RemoteHost(name: "local", address: "127.0.0.1")
        let runner = PlaybookRunner(transport: LocalTransport(), runLog: .discarding)
        let first = await runner.run(Playbook("p", steps: [step]), on: [host])
        #expect(first.hosts[0].counts.changed == 1)
        #expect(try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8) == "export A='x y'\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
        let second = await runner.run(Playbook("p", steps: [step]), on: [host])
        #expect(second.hosts[0].counts.ok == 1 && second.hosts[0].counts.changed == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let third = await runner.run(Playbook("p", steps: [step]), on: [host])
        #expect(third.hosts[0].counts.changed == 1)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    }
}
