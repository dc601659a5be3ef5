import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Keys files, the coinbase cache and the other Butler inputs on hostile input: version
/// numbers at the integer edge, duplicate JSON keys, folders instead of files, symlinks, many
/// mappings and many problems.
@Suite(.tags(.unit)) struct BoundedKeysInputTests {
    typealias F = ButlerFixtures

    @Test func theLargestVersionHasNoNextAndTooLargeVersionsAreRecognised() {
        let last = KeysFileName(network: "mainnet", serverId: "a", version: Int.max)
        #expect(last.next == nil, "v9223372036854775807 + 1 does not exist, and asking never traps")
        #expect(KeysFileName(network: "mainnet", serverId: "a", version: 1).next?.version == 2)
        #expect(KeysFileName.serverIdOfUncountableVersion("mainnet-keys-eu-1-v9223372036854775808.json", network: "mainnet") == "eu-1")
        #expect(KeysFileName.serverIdOfUncountableVersion("mainnet-keys-eu-1-v9223372036854775807.json", network: "mainnet") == nil)
        #expect(KeysFileName.serverIdOfUncountableVersion("mainnet-keys-eu-1-vX.json", network: "mainnet") == nil)
    }

    @Test func aVersionTooLargeToCountIsAProblemNotASilentFallback() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try F.write(F.keysFile([F.validator(attester: 1)]), "mainnet-keys-a-v1.json", in: folder)
        try F.write(F.keysFile([F.validator(attester: 2)]), "mainnet-keys-a-v99999999999999999999.json", in: folder)
        try F.write(F.keysFile([F.validator(attester: 3)]), "mainnet-keys-b-v1.json", in: folder)
        let discovery = try KeysDirectory(folder: folder, network: "mainnet").discover()
        #expect(discovery.files.map(\.serverId) == ["b"], "server a is left out, not read from its v1")
        let failure = try #require(discovery.failures.first)
        #expect(failure.file.hasSuffix("mainnet-keys-a-v99999999999999999999.json"))
        #expect(failure.description.contains("too large to count"))
        #expect(throws: KeysDirectoryError.self) { try KeysDirectory(folder: folder, network: "mainnet").nextFileName(serverId: "a") }
    }

    @Test func incrementingTheLargestVersionIsRefusedWithAMessage() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = "mainnet-keys-a-v9223372036854775807.json"
        try F.write(F.keysFile([F.validator(attester: 1)]), name, in: folder)
        do {
            _ = try CoinbaseFill.target(for: folder.appendingPathComponent(name), network: "mainnet", incrementVersion: true)
            Issue.record("the next version has no number")
        } catch {
            #expect("\(error)".contains("largest version number"))
        }
    }

    @Test func aKeyGivenTwiceIsRefusedWithItsPath() throws {
        let text = F.keysFile([F.validator(attester: 1, coinbase: 5)])
            .replacingOccurrences(of: "\"coinbase\": ", with: "\"coinbase\": \"\(F.address(6))\", \"coinbase\": ")
        do {
            _ = try KeysFile.decode(Data(text.utf8), fileName: "k.json")
            Issue.record("a duplicate key must be refused")
        } catch {
            #expect(error.problems.map(\.jsonPath) == ["validators[0].coinbase"])
            #expect(error.description.contains("given 2 times"))
            #expect(!error.description.contains(F.address(6)), "the values are not quoted")
        }
        #expect(throws: Never.self) { try KeysFile.decode(Data(F.keysFile([F.validator(attester: 1)]).utf8), fileName: "k.json") }
    }

    @Test func foldersInsteadOfFilesAreNamedPlainly() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = folder.appendingPathComponent("mainnet-keys-a-v1.json")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        do {
            _ = try KeysFile.read(from: keys)
            Issue.record("a folder is not a keys file")
        } catch {
            #expect(error.description.hasSuffix("cannot read \(keys.path): it is a directory"))
        }
        #expect(throws: CoinbaseCacheError(file: keys.path, message: "cannot read it: it is a directory")) { try CoinbaseCache.read(from: keys) }
        do {
            _ = try LogSignalTable.load(contentsOf: folder)
            Issue.record("a folder is not a signals file")
        } catch {
            #expect(error.message == "cannot read the file: it is a directory")
        }
        #expect(KeysFile.maximumFileSize == 16 << 20 && CoinbaseCache.maximumFileSize == 64 << 20 && DotEnvFile.maximumFileSize == 1 << 20)
    }

    @Test func aSymlinkedKeysFileIsWrittenThroughToItsTarget() throws {
        let folder = try F.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try F.write(F.keysFile([F.validator(attester: 1)]), "real.json", in: folder)
        let link = folder.appendingPathComponent("mainnet-keys-a-v1.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real.json")
        var keys = try KeysFile.read(from: link)
        keys.validators[0].coinbase = KeysFileAddress(F.address(7))
        try keys.write(to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "real.json")
        #expect(try KeysFile.read(from: folder.appendingPathComponent("real.json")).validators[0].coinbase?.text == F.address(7))
    }

    static func cacheJSON(_ attesters: [Int]) -> String {
        let mappings = attesters.map { attester in
            #"{"attesterAddress":"\#(F.address(attester))","coinbaseAddress":"\#(F.address(attester + 1))","blockNumber":"1","blockHash":"0x","timestamp":1}"#
        }
        return #"{"network":"mainnet","stakingProviderId":"7","lastScrapedBlock":"1","mappings":[\#(mappings.joined(separator: ","))],"scrapedAt":"x","version":"1.0"}"#
    }

    /// 10,000 mappings took 14.6 s with the quadratic check; the check is a set now. The
    /// test keeps to 2,000 mappings: decoding the JSON itself dominates in a debug build.
    @Test func manyMappingsReadAndADuplicateIsStillFound() throws {
        let attesters = Array(1...2_000)
        #expect(throws: CoinbaseCacheError(file: "c.json", message: "$.mappings[2000].attesterAddress: attester \(F.address(42)) is mapped twice")) {
            try CoinbaseCache.decode(Data(Self.cacheJSON(attesters + [42]).utf8), file: "c.json")
        }
        let cache = try CoinbaseCache.decode(Data(Self.cacheJSON(Array(1...3)).utf8), file: "c.json")
        #expect(cache.mappings.map(\.attesterAddress.text) == [F.address(1), F.address(2), F.address(3)])
    }

    @Test func aLongProblemListIsCapped() {
        let problems = (0..<500).map { KeysFileProblem(file: "k.json", jsonPath: "validators[\($0)]", message: "bad") }
        let lines = KeysFileError(file: "k.json", problems: problems).description.split(separator: "\n")
        #expect(lines.count == 51 && lines.last == "… and 450 more")
    }
}
