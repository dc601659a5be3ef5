import ButlerKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct KeysWatcherTests {
    @Test func reloadsOnChangeAndKeepsTheLastGoodFileOfAServer() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 1), ButlerFixtures.validator(attester: 2)]),
                                 "testnet-keys-eu-1-v1.json", in: folder)
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 3)]), "testnet-keys-us-1-v1.json", in: folder)
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 9)]), "mainnet-keys-eu-1-v1.json", in: folder)
        var watcher = KeysWatcher(directory: KeysDirectory(folder: folder, network: "testnet"))
        let first = try watcher.refresh()
        #expect(first == KeysWatcher.Update(changed: true, newProblems: []))
        #expect(watcher.merged.attesters.count == 3)
        #expect(try watcher.refresh() == KeysWatcher.Update(changed: false, newProblems: []), "nothing changed on disk")

        // A broken newer version of eu-1: its v1 stays in use, the problem is reported once.
        try ButlerFixtures.write("{\"validators\": [", "testnet-keys-eu-1-v2.json", in: folder)
        let broken = try watcher.refresh()
        #expect(broken.changed == false)
        #expect(broken.newProblems.count == 1)
        #expect(broken.newProblems.first?.contains("testnet-keys-eu-1-v2.json") == true)
        #expect(broken.newProblems.first?.hasSuffix("keeping testnet-keys-eu-1-v1.json of server eu-1") == true, "\(broken.newProblems)")
        #expect(watcher.invalidFiles.count == 1 && watcher.merged.attesters.count == 3)
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 3), ButlerFixtures.validator(attester: 4)]),
                                 "testnet-keys-us-1-v1.json", in: folder)
        let other = try watcher.refresh()
        #expect(other.changed && other.newProblems.isEmpty, "the known problem is not repeated")
        #expect(watcher.merged.attesters.count == 4)

        // Fixed: the new version replaces the old one.
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 5)]), "testnet-keys-eu-1-v2.json", in: folder)
        let fixed = try watcher.refresh()
        #expect(fixed.changed && watcher.invalidFiles.isEmpty)
        #expect(Set(watcher.merged.attesters.map { $0.address.lowercased }) == Set([3, 4, 5].map { ButlerFixtures.address($0) }))

        // A server's files removed: its attesters go.
        for name in ["testnet-keys-eu-1-v1.json", "testnet-keys-eu-1-v2.json"] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        #expect(try watcher.refresh().changed)
        #expect(watcher.merged.attesters.count == 2)
    }

    @Test func aBadFileWithNoGoodVersionIsReportedAndSkipped() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ButlerFixtures.write("not json", "testnet-keys-a-v1.json", in: folder)
        var watcher = KeysWatcher(directory: KeysDirectory(folder: folder, network: "testnet"))
        let update = try watcher.refresh()
        #expect(update.newProblems.count == 1 && watcher.merged.attesters.isEmpty && watcher.invalidFiles.count == 1)
    }
}
