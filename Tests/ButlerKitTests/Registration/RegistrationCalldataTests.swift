import FleetKit
import FleetTestSupport
import Foundation
import Testing
@testable import ButlerKit

/// Registration files of the aztec CLI and the provider-admin calldata, by selector and layout.
@Suite(.tags(.unit)) struct RegistrationCalldataTests {
    static let registry = EthereumAddress(hex: "0x042dF8f42790d6943F41C25C2132400fd727f452") ?? .zero

    static let file = """
        [{"attester": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
          "publicKeyG1": {"x": "1", "y": "2"},
          "publicKeyG2": {"x0": "3", "x1": "4", "y0": "5", "y1": "0x06"},
          "proofOfPossession": {"x": "115792089237316195423570985008687907853269984665640564039457584007913129639935", "y": 8}}]
        """

    @Test func readsTheAztecCLIsRegistrationFile() throws {
        let stores = try RegistrationFile.decode(Data(Self.file.utf8), fileName: "v_staker_output.json")
        #expect(stores.count == 1 && stores[0].attester.checksummed == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        #expect(stores[0].publicKeyG1 == [1, 2] && stores[0].publicKeyG2 == [3, 4, 5, 6] && stores[0].proofOfPossession == [.max, 8])
    }

    @Test func namesEveryBadCoordinate() throws {
        let bad = #"[{"attester": "0x12", "publicKeyG1": {"x": "-1", "y": "2"}, "publicKeyG2": {"x0": "3"}, "proofOfPossession": []}, 7]"#
        let error = try #require(throws: KeysFileError.self) { try RegistrationFile.decode(Data(bad.utf8), fileName: "r.json") }
        #expect(error.problems.map(\.jsonPath) == ["[0].attester", "[0].publicKeyG1.x", "[0].publicKeyG2.x1", "[0].publicKeyG2.y0", "[0].publicKeyG2.y1",
                                                    "[0].proofOfPossession", "[1]"])
        #expect(throws: KeysFileError.self) { try RegistrationFile.decode(Data(#"{"attester": "x"}"#.utf8), fileName: "r.json") }
    }

    /// Selectors as Vyper computes them for the StakingRegistry stand-in (an independent keccak).
    @Test func selectorsOfTheRealInterface() throws {
        let keyStores = try RegistrationFile.decode(Data(Self.file.utf8), fileName: "v")
        let add = try ProviderAdminCalldata.addKeys(registry: Self.registry, providerId: 7, keyStores: keyStores)
        #expect(add.calldata.hasPrefix("0xe2530fd1") && add.contract == Self.registry.checksummed)
        // provider id, offset of the array, its length, then one static 9-word KeyStore.
        let words = try #require(Hex.decode(add.calldata)).dropFirst(4)
        #expect(words.count == 32 * 12)
        #expect(Array(words.prefix(32)) == UInt256(7).bigEndianBytes && Array(words.dropFirst(64).prefix(32)) == UInt256(1).bigEndianBytes)
        #expect(Array(words.suffix(64)) == UInt256.max.bigEndianBytes + UInt256(8).bigEndianBytes)
        let admin = EthereumAddress(hex: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf") ?? .zero
        #expect(try ProviderAdminCalldata.createProvider(registry: Self.registry, admin: admin, takeRate: 500, rewardsRecipient: admin).calldata.hasPrefix("0xea4a1e03"))
        let handOver = try ProviderAdminCalldata.changeAdmin(registry: Self.registry, providerId: 7, newAdmin: admin)
        #expect(handOver.map { String($0.calldata.prefix(10)) } == ["0xae996dc5", "0x22b2b62d"])
        #expect(try ProviderAdminCalldata.changeCommission(registry: Self.registry, providerId: 7, takeRate: 10_000).calldata.hasPrefix("0xcea00fa5"))
        #expect(throws: ButlerRequestError.self) { try ProviderAdminCalldata.changeCommission(registry: Self.registry, providerId: 7, takeRate: 10_001) }
    }

    @Test func safeBatchHasTheTransactionBuildersShape() throws {
        let proposal = try ProviderAdminCalldata.changeCommission(registry: Self.registry, providerId: 7, takeRate: 750)
        let data = try SafeTransactionBatch.json(chainId: 11_155_111, name: "n", description: "d", createdAt: Date(timeIntervalSince1970: 1_700_000_000), proposals: [proposal])
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["version"] as? String == "1.0" && object["chainId"] as? String == "11155111" && object["createdAt"] as? Int == 1_700_000_000_000)
        let transaction = try #require((object["transactions"] as? [[String: Any]])?.first)
        #expect(transaction["to"] as? String == Self.registry.checksummed && transaction["value"] as? String == "0" && transaction["data"] as? String == proposal.calldata)
        #expect(transaction["contractMethod"] is NSNull && transaction["contractInputsValues"] is NSNull)
        #expect((object["meta"] as? [String: Any])?["name"] as? String == "n")
    }
}
