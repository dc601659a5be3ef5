@testable import ButlerKit
import FleetTestSupport
import Foundation
import Testing

/// Keys files under fuzzing: any bytes decode to a keys file or a ``KeysFileError`` (never a
/// trap), and no private key (BLS key, publisher key) planted in them reaches the error.
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct KeysFileFuzzTests {
    static let bls = "0x" + String(repeating: "b15b15", count: 10) + "5ec7"
    static let publisher = "0x" + String(repeating: "9b1e5e", count: 10) + "abcd"
    static let samples = Fuzzer.bytes([
        """
        {"schemaVersion": 1, "remoteSigner": "https://signer.example.com:8080", "validators": [
          {"attester": {"eth": "0x00000000000000000000000000000000000000a1", "bls": "\(bls)"},
           "coinbase": "0x00000000000000000000000000000000000000c1",
           "feeRecipient": "0x0000000000000000000000000000000000000000000000000000000000000000",
           "publisher": "\(publisher)"},
          {"attester": {"eth": "0x00000000000000000000000000000000000000a2", "bls": "\(bls)"},
           "feeRecipient": "0x0000000000000000000000000000000000000000000000000000000000000000",
           "publisher": ["\(publisher)", "0x00000000000000000000000000000000000000b2"]}
        ]}
        """,
    ])
    static let tokens = Fuzzer.bytes(["{", "}", "[", "]", "\"", ":", ",", "null", "0x", "\\u0000", "1e400", "\"validators\":", "\"publisher\":"])

    @Test func mutatedKeysFilesNeverTrapOrShowAKey() {
        let ran = Fuzzer.run(seed: 2_126_005, samples: Self.samples, tokens: Self.tokens,
                             secrets: [String(Self.bls.dropFirst(2)), String(Self.publisher.dropFirst(2))]) { input in
            var texts: [String] = []
            for optional in [false, true] {
                do {
                    _ = try KeysFile.decode(Data(input.bytes), fileName: "keystore.json", publisherOptional: optional)
                } catch {
                    texts.append(String(describing: error))
                }
            }
            return texts
        }
        #expect(ran >= 500)
    }
}
