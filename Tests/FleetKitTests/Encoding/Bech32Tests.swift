import FleetKit
import FleetTestSupport
import Testing

/// Bech32 against BIP-173's test vectors.
@Suite(.tags(.unit)) struct Bech32Tests {
    /// BIP-173's valid bech32 strings: the data part decoded with the alphabet and
    /// re-encoded must give the same string, checksum included.
    @Test(arguments: [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11" + String(repeating: "q", count: 82) + "c8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ])
    func validStringsReEncode(text: String) throws {
        let lowered = text.lowercased()
        let separator = try #require(lowered.lastIndex(of: "1"))
        let prefix = String(lowered[..<separator])
        let groups = try lowered[lowered.index(after: separator)...].dropLast(6).map { character in
            UInt8(try #require(Bech32.alphabet.firstIndex(of: character)))
        }
        #expect(try Bech32.encode(prefix: prefix, groups: groups) == lowered)
    }

    /// BIP-173's segwit example: witness version 0 and the 20-byte program regrouped from bytes.
    @Test func segwitAddressFromBytes() throws {
        let program: [UInt8] = [0x75, 0x1e, 0x76, 0xe8, 0x19, 0x91, 0x96, 0xd4, 0x54, 0x94, 0x1c, 0x45, 0xd1, 0xb3, 0xa3, 0x23, 0xf1, 0x43, 0x3b, 0xd6]
        #expect(try Bech32.encode(prefix: "bc", groups: [0] + Bech32.regroup(program)) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
    }

    @Test func emptyOrTooLongInputIsRefused() {
        #expect(throws: Bech32Error.self) { try Bech32.encode(prefix: "", data: [1]) }
        #expect(throws: Bech32Error.self) { try Bech32.encode(prefix: "a", data: [UInt8](repeating: 0, count: 60)) }
        #expect(throws: Bech32Error.self) { try Bech32.encode(prefix: "a", groups: [32]) }
    }
}
