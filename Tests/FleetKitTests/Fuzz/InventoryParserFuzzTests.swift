import FleetTestSupport
import Foundation
@testable import FleetKit
import Testing

/// servers.csv under fuzzing: mutated inventories and random bytes never trap the loader,
/// and no private key or mnemonic planted in them reaches an error message.
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct InventoryParserFuzzTests {
    static let key = "0x" + String(repeating: "5ec7e7", count: 10) + "beef"
    static let mnemonic = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    static let schema = InventorySchema([
        InventoryField("wallet", label: "wallet", columns: ["wallet"]),
        InventoryField("key", label: "private key", columns: ["private_key"], secret: true),
    ])
    static let samples = Fuzzer.bytes([
        """
        name,ip,user,port,ssh_key,private_key,wallet,mnemonic
        node-1,10.0.0.1,ubuntu,22,/k/id,\(key),w-1,"\(mnemonic)"
        node-2,2001:db8::2,root,2222,,\(key),w-2,
        "Val, EU",host.example.com,,,,\(key),,

        """,
        "ip,private_key\r\n10.0.0.9,\(key)\r\n10.0.0.10,\"\(key)\"\r\n",
    ])
    static let tokens = Fuzzer.bytes([",", "\"", "\"\"", "\n", "\r\n", "#", "0x", ",,,,,,", "[::1]", ":22", key, "\u{FEFF}"])

    @Test func mutatedInventoriesNeverTrapOrShowASecret() {
        let ran = Fuzzer.run(seed: 2_126_001, samples: Self.samples, tokens: Self.tokens,
                             secrets: [String(Self.key.dropFirst(2)), Self.mnemonic]) { input in
            var texts: [String] = []
            for schema in [InventorySchema.sshOnly, Self.schema] {
                do {
                    _ = try InventoryLoader.parse(input.text, file: "servers.csv", schema: schema, skipInvalidRows: input.number % 2 == 0)
                } catch {
                    texts.append(String(describing: error))
                }
            }
            return texts
        }
        #expect(ran >= 500)
    }
}
