import ButlerKit
import FleetTestSupport
import Foundation
import Testing

/// File names, discovery of each server's newest file, the next version, and the merged view.
@Suite(.tags(.unit)) struct KeysDirectoryTests {
    @Test func fileNamesParseWithDashedServerIdsAndNumericVersions() throws {
        let name = try #require(KeysFileName(parsing: "mainnet-keys-eu-west-1-v3.json", network: "mainnet"))
        #expect(name.serverId == "eu-west-1" && name.version == 3)
        #expect(KeysFileName(parsing: "mainnet-keys-a-v2-v10.json", network: "mainnet")?.serverId == "a-v2")
        #expect(KeysFileName(parsing: "mainnet-keys-A-v1.json", network: "testnet") == nil)
        #expect(KeysFileName(parsing: "mainnet-keys-A-v1.json", network: "main") == nil)
        for bad in ["mainnet-keys-v1.json", "mainnet-keys-A-v.json", "mainnet-keys-A-v1x.json", "mainnet-keys-A-v1.json.bak",
                    "mainnet-keys-A.json", "mainnet-keys--v1.json", "mainnet-keys-A-v١.json"] {
            #expect(KeysFileName(parsing: bad, network: "mainnet") == nil, "\(bad)")
        }
        let nine = KeysFileName(network: "mainnet", serverId: "a", version: 9)
        let ten = KeysFileName(network: "mainnet", serverId: "a", version: 10)
        #expect(nine < ten, "v10 comes after v9")
        #expect(nine.next == ten && ten.fileName == "mainnet-keys-a-v10.json")
    }

    @Test func discoveryKeepsTheHighestVersionPerServerAndIgnoresOtherNetworks() throws {
        let discovery = try KeysDirectory(folder: ButlerFixtures.data, network: "mainnet").discover()
        #expect(discovery.failures.isEmpty, "\(discovery.failures)")
        #expect(discovery.files.map(\.url.lastPathComponent) == ["mainnet-keys-beast-3-v10.json", "mainnet-keys-eu-west-1-v3.json"])
        #expect(discovery.files.map(\.serverId) == ["beast-3", "eu-west-1"])
        #expect(discovery.superseded.map(\.fileName) == ["mainnet-keys-beast-3-v9.json", "mainnet-keys-eu-west-1-v2.json"])
        let testnet = try KeysDirectory(folder: ButlerFixtures.data, network: "testnet").discover()
        #expect(testnet.files.isEmpty && testnet.failures.count == 1, "the testnet file is read for testnet only")
    }

    @Test func aBadFileIsReportedWithItsPathWhileTheOthersLoad() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 1)]), "mainnet-keys-good-v1.json", in: folder)
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 2)]), "mainnet-keys-broken-v1.json", in: folder)
        try ButlerFixtures.write("{\"validators\": [{\"attester\": {\"eth\": \"0x12\"}}]}", "mainnet-keys-broken-v2.json", in: folder)
        let discovery = try KeysDirectory(folder: folder, network: "mainnet").discover()
        #expect(discovery.files.map(\.serverId) == ["good"])
        let path = folder.appendingPathComponent("mainnet-keys-broken-v2.json").path
        #expect(discovery.failures.count == 1)
        #expect(discovery.failures.first?.problems.map(\.description) == [
            "\(path): validators[0].attester.eth: expected 0x + 40 hex digits, got 0x + 2 hex digits",
            "\(path): validators[0].attester.bls: missing (expected 0x + 64 hex digits)",
            "\(path): validators[0].feeRecipient: missing (expected 0x + 64 hex digits)",
            "\(path): validators[0].publisher: missing (expected 0x + 40 hex digits or an array of them)",
        ], "the broken newest version is reported, not replaced by v1")
    }

    @Test func twoFilesOfTheSameVersionAreReported() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 1)]), "mainnet-keys-a-v1.json", in: folder)
        try ButlerFixtures.write(ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 1)]), "mainnet-keys-a-v01.json", in: folder)
        let discovery = try KeysDirectory(folder: folder, network: "mainnet").discover()
        #expect(discovery.files.isEmpty)
        #expect(discovery.failures.first?.description.contains("mainnet-keys-a-v01.json and mainnet-keys-a-v1.json are both version 1 of server a") == true)
    }

    @Test func aMissingFolderHasNoFiles() throws {
        let directory = KeysDirectory(folder: URL(fileURLWithPath: "/nonexistent/aztec-butler"), network: "mainnet")
        #expect(try directory.discover().files.isEmpty)
        #expect(try directory.nextFileName(serverId: "a").fileName == "mainnet-keys-a-v1.json")
    }

    @Test func theNextVersionFollowsTheHighestNumerically() throws {
        let directory = KeysDirectory(folder: ButlerFixtures.data, network: "mainnet")
        #expect(try directory.nextFileName(serverId: "beast-3").fileName == "mainnet-keys-beast-3-v11.json")
        #expect(try directory.nextFileName(serverId: "eu-west-1").fileName == "mainnet-keys-eu-west-1-v4.json")
        #expect(try directory.nextFileName(serverId: "beast").fileName == "mainnet-keys-beast-v1.json", "a prefix of a dashed id is another server")
        #expect(try KeysDirectory(folder: ButlerFixtures.data, network: "testnet").nextFileName(serverId: "A").fileName == "testnet-keys-A-v2.json")
    }

    @Test func theMergedViewCountsAttestersAndPublishers() throws {
        let merged = try KeysDirectory(folder: ButlerFixtures.data, network: "mainnet").discover().merged
        #expect(merged.attesters.count == 4)
        #expect(merged.attestersWithoutCoinbase.map(\.address.lowercased) == [ButlerFixtures.address(0xa2)])
        #expect(merged.publishers.map { "\($0.address.lowercased) \($0.serverIds) \($0.attesterCount)" } == [
            "\(ButlerFixtures.address(0xb0b1)) [\"eu-west-1\"] 2",
            "\(ButlerFixtures.address(0xb0b2)) [\"beast-3\"] 2",
            "\(ButlerFixtures.address(0xb0b3)) [\"beast-3\"] 2",
        ])
        #expect(merged.problems.isEmpty)
    }

    @Test func theSameAttesterOnTwoServersIsAnOperatorErrorNamingBothFiles() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checksummed = "0x5A0b54D5dc17e0AadC383d2db43B0a0D3E029c4c"
        try ButlerFixtures.write("""
            {"validators": [{"attester": {"eth": "\(checksummed)", "bls": "\(ButlerFixtures.word(1))"}, "feeRecipient": "\(ButlerFixtures.word(0))", "publisher": "\(ButlerFixtures.address(0xb1))"}]}
            """, "mainnet-keys-a-v1.json", in: folder)
        try ButlerFixtures.write("""
            {"validators": [{"attester": {"eth": "\(checksummed.lowercased())", "bls": "\(ButlerFixtures.word(1))"}, "feeRecipient": "\(ButlerFixtures.word(0))", "publisher": "\(ButlerFixtures.address(0xb1))"}]}
            """, "mainnet-keys-b-v2.json", in: folder)
        let merged = try KeysDirectory(folder: folder, network: "mainnet").discover().merged
        #expect(merged.attesters.count == 1 && merged.attesters[0].serverId == "a")
        #expect(merged.duplicateAttesters.map(\.fileNames) == [["mainnet-keys-a-v1.json", "mainnet-keys-b-v2.json"]])
        #expect(merged.problems == [
            "attester \(checksummed.lowercased()) is in 2 keys files: mainnet-keys-a-v1.json and mainnet-keys-b-v2.json; an attester must run on one server only",
            "publisher \(ButlerFixtures.address(0xb1)) is used by 2 servers: a, b; each server needs its own publishers",
        ])
        #expect(merged.publishers.first?.attesterCount == 2 && merged.publishers.first?.serverId == "a")
    }

    @Test func oneRemoteSignerSharedByEveryServerIsHighAvailabilityNotAnError() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let attester = "0x5A0b54D5dc17e0AadC383d2db43B0a0D3E029c4c"
        func file(_ signer: String, publisher: Int) -> String {
            """
            {"remoteSigner": "\(signer)", "validators": [{"attester": {"eth": "\(attester)", "bls": "\(ButlerFixtures.word(1))"}, "feeRecipient": "\(ButlerFixtures.word(0))", "publisher": "\(ButlerFixtures.address(publisher))"}]}
            """
        }
        try ButlerFixtures.write(file("https://signer.example:8080", publisher: 0xb1), "mainnet-keys-a-v1.json", in: folder)
        try ButlerFixtures.write(file("https://signer.example:8080", publisher: 0xb2), "mainnet-keys-b-v1.json", in: folder)
        let shared = try KeysDirectory(folder: folder, network: "mainnet").discover().merged
        #expect(shared.duplicateAttesters.isEmpty && shared.problems.isEmpty)
        #expect(shared.highAvailabilityAttesters.map(\.fileNames) == [["mainnet-keys-a-v1.json", "mainnet-keys-b-v1.json"]])
        try ButlerFixtures.write(file("https://other-signer.example:8080", publisher: 0xb2), "mainnet-keys-b-v2.json", in: folder)
        let split = try KeysDirectory(folder: folder, network: "mainnet").discover().merged
        #expect(split.duplicateAttesters.count == 1 && split.highAvailabilityAttesters.isEmpty, "two different signers could both sign")
    }
}
