import FleetKit
import FleetTestSupport
import Foundation
import Testing
@testable import ButlerKit

/// The private keys file: every malformed entry named by its JSON path, no key ever in a
/// message, and the public keys file in the original's shape.
@Suite(.tags(.unit)) struct PrivateKeysFileTests {
    static let zero = "0x" + String(repeating: "0", count: 64)
    static let order = "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
    static let good = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
    static let bls = "0x09d2913bbbf998f7a0018203321c5427e3b912fb9f57ed6004c89ea9abf0c413"

    static func validator(eth: String, bls: String = bls, fee: String = zero) -> String {
        #"{"attester": {"eth": "\#(eth)", "bls": "\#(bls)"}, "publisher": "\#(good)", "feeRecipient": "\#(fee)"}"#
    }

    static func file(_ validators: [String]) -> Data { Data(#"{"schemaVersion": 1, "validators": [\#(validators.joined(separator: ","))]}"#.utf8) }

    @Test func derivesAndWritesThePublicKeysFile() throws {
        let keys = try PrivateKeysFile.decode(Self.file([Self.validator(eth: Self.good)]), fileName: "new.json")
        #expect(keys.validators.map(\.attester.checksummed) == ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"])
        #expect(keys.publicKeysJSON == """
            {
              "schemaVersion": 1,
              "validators": [
                {
                  "attester": {
                    "eth": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                    "bls": "0x93b08f1aa2fa961575b4ed2b6222dc7576b5f8bf6b7cb93d6ddb6824bad0e7ca"
                  },
                  "feeRecipient": "\(Self.zero)"
                }
              ]
            }

            """)
        // prepare-deployment reads it as the new public keys.
        let read = try KeysFile.decode(Data(keys.publicKeysJSON.utf8), fileName: "p", publisherOptional: true)
        #expect(read.validators.first?.attester.bls.text == "0x93b08f1aa2fa961575b4ed2b6222dc7576b5f8bf6b7cb93d6ddb6824bad0e7ca")
    }

    @Test func namesEveryMalformedEntryWithoutShowingAKey() throws {
        let secretish = "0x" + String(repeating: "5a", count: 31)  // 62 hex digits
        let data = Self.file([
            Self.validator(eth: Self.good),
            Self.validator(eth: Self.zero),
            Self.validator(eth: Self.order),
            Self.validator(eth: secretish),
            Self.validator(eth: Self.good, bls: "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"),
            Self.validator(eth: Self.good, fee: "0x12"),
            #"{"attester": {"eth": 7}}"#,
        ])
        let error = try #require(throws: KeysFileError.self) { try PrivateKeysFile.decode(data, fileName: "new.json") }
        let paths = error.problems.map(\.jsonPath)
        #expect(paths.contains("validators[1].attester.eth") && paths.contains("validators[2].attester.eth") && paths.contains("validators[3].attester.eth"))
        #expect(paths.contains("validators[4].attester.bls") && paths.contains("validators[5].feeRecipient"))
        #expect(paths.contains("validators[6].attester.eth") && paths.contains("validators[6].attester.bls"))
        #expect(paths.filter { $0 == "validators[4].attester.eth" || $0 == "validators[5].attester.eth" }.count == 2, "the same attester as validators[0]")
        let text = error.description.lowercased()
        for key in [Self.good, Self.order, secretish, Self.bls] { #expect(!text.contains(String(key.dropFirst(2)))) }
    }

    @Test func refusesFilesWithoutValidators() {
        #expect(throws: KeysFileError.self) { try PrivateKeysFile.decode(Data("[]".utf8), fileName: "x") }
        #expect(throws: KeysFileError.self) { try PrivateKeysFile.decode(Data(#"{"validators": []}"#.utf8), fileName: "x") }
        #expect(throws: KeysFileError.self) { try PrivateKeysFile.decode(Data("{".utf8), fileName: "x") }
    }

    @Test func storageMessagesMaskHexRuns() {
        #expect(PrivateKeysProcessing.withoutKeys("bad input 0x\(String(repeating: "ab", count: 32)) and \(String(repeating: "cd", count: 16)) ok\n") == "bad input *** and *** ok")
    }
}

/// `WEB3SIGNER_URLS` is a setting like the others: parsed into URLs, refused when one is not
/// http(s), shown with each URL's credentials masked.
@Suite(.tags(.unit)) struct Web3SignerSettingTests {
    func load(_ value: String) throws -> ButlerConfiguration {
        try ButlerConfiguration.load(ButlerConfigurationRequest(network: "testnet", environment: ["WEB3SIGNER_URLS": value], homeDirectory: "/nonexistent-home"))
    }

    @Test func parsedMaskedAndChecked() throws {
        let configuration = try load("https://ops:hunter2@signer-1.internal, http://signer-2.internal:9000/reload")
        #expect(configuration.web3signerURLs.map(\.absoluteString) == ["https://ops:hunter2@signer-1.internal", "http://signer-2.internal:9000/reload"])
        let shown = configuration.value(.web3signerURLs).shownText
        #expect(!shown.contains("hunter2") && shown.contains("signer-1.internal") && shown.contains("signer-2.internal:9000"))
        #expect(try load("").web3signerURLs.isEmpty)
        let error = try #require(throws: ButlerConfigError.self) { try load("https://a.internal,ftp://b.internal") }
        #expect(error.description.contains("WEB3SIGNER_URLS (environment WEB3SIGNER_URLS): expected comma-separated http(s) URLs"))
    }
}
