import FleetKit
import FleetTestSupport
import Foundation
import Testing
@testable import ButlerKit

/// secp256k1 and BN254 G1 against published vectors: k·G for small k, n−1 and a large k
/// (the SEC 2 / Bitcoin k·G lists), well-known private key → address pairs (eth-tester's key 1,
/// the Hardhat/Anvil default accounts) and the original Butler's own phase-2 example files.
@Suite(.tags(.unit)) struct PublicKeyDerivationTests {
    static func key(_ hex: String) throws -> [UInt8] { try #require(Hex.decode(hex)) }
    static func scalar(_ value: UInt64) -> [UInt8] { UInt256(value).bigEndianBytes }

    @Test(arguments: [
        (UInt64(1), "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
        (2, "c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee51ae168fea63dc339a3c58419466ceaeef7f632653266d0e1236431a950cfe52a"),
        (3, "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9388f7b0f632de8140fe337e62a37f3566500a99934c2231b6cb9fd7584b8e672"),
        (112233445566778899, "a90cc3d3f3e146daadfc74ca1372207cb4b725ae708cef713a98edd73d99ef295a79d6b289610c68bc3b47f3d72f9788a26a06868b4d8e433e1e2ad76fb7dc76"),
    ])
    func secp256k1MultiplesOfTheGenerator(k: UInt64, expected: String) throws {
        let point = try #require(PublicKeyDerivation.secp256k1PublicKey(privateKey: Self.scalar(k)))
        #expect(Hex.encode(point, prefix: false) == expected)
    }

    @Test func theLastValidScalarAndTheInvalidOnes() throws {
        let order = EllipticCurve.secp256k1.order
        var nMinusOne = order.bigEndianBytes
        nMinusOne[31] -= 1  // n ends in …41
        let point = try #require(PublicKeyDerivation.secp256k1PublicKey(privateKey: nMinusOne))
        // (n−1)·G = −G: the generator's x, and p − Gy.
        #expect(Hex.encode(point, prefix: false) ==
                "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798b7c52588d95c3b9aa25b0403f1eef75702e84bb7597aabe663b82f6f04ef2777")
        #expect(PublicKeyDerivation.ethereumAddress(privateKey: order.bigEndianBytes) == nil, "n is not a private key")
        #expect(PublicKeyDerivation.ethereumAddress(privateKey: [UInt8](repeating: 0, count: 32)) == nil, "0 is not a private key")
        #expect(PublicKeyDerivation.ethereumAddress(privateKey: [UInt8](repeating: 0xFF, count: 32)) == nil, "above n")
        #expect(PublicKeyDerivation.ethereumAddress(privateKey: [1]) == nil, "31 bytes short")
        #expect(PublicKeyDerivation.blsPublicKey(privateKey: EllipticCurve.bn254.order.bigEndianBytes) == nil, "r·G is infinity")
    }

    @Test(arguments: [
        ("0x0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"),
        ("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
        ("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        ("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
        ("0x97cb22ac7d7738c6faac945bcc4948d7eafb31e740ea264e0c233ccac625d2f5", "0x5FAC75C9bD29CDf5599C74e31A8a88850a573748"),
        ("0xe8b3da1f570a581a26887290c3edba4e70504eb1fd500ee20ab1157cd6e78fd5", "0x829B7234A1544C755a9F31Fa4812675F8E8A0BF3"),
    ])
    func wellKnownAccounts(privateKey: String, address: String) throws {
        #expect(PublicKeyDerivation.ethereumAddress(privateKey: try Self.key(privateKey))?.checksummed == address)
    }

    /// The original Butler's example of phase 2 (plan-full-key-flow/…/after_phase2): the BLS
    /// private keys of new-private-keys.json and the public keys of new-public-keys.json.
    @Test(arguments: [
        ("0x09d2913bbbf998f7a0018203321c5427e3b912fb9f57ed6004c89ea9abf0c413", "0x93b08f1aa2fa961575b4ed2b6222dc7576b5f8bf6b7cb93d6ddb6824bad0e7ca"),
        ("0x0fe9586a9cb0fdd435993a3b4210feabe24b2984c9fdc2b72d269a481d17b113", "0x9b03e1ad3e6a9d04dd1f720d742b801091ac435deffcf8f259eaa0924669c7a1"),
    ])
    func blsPublicKeysOfTheOriginalsExample(privateKey: String, publicKey: String) throws {
        #expect(PublicKeyDerivation.blsPublicKey(privateKey: try Self.key(privateKey)).map { Hex.encode($0) } == publicKey)
    }

    @Test func bn254GeneratorAndItsDouble() throws {
        // 1·G1 = (1, 2): x = 1, y even. 2·G1 has the well-known x 0x030644e7…cfd3 and an even y.
        #expect(PublicKeyDerivation.blsPublicKey(privateKey: Self.scalar(1)).map { Hex.encode($0, prefix: false) } == String(repeating: "0", count: 63) + "1")
        let double = try #require(PublicKeyDerivation.blsPublicKey(privateKey: Self.scalar(2)))
        #expect(Hex.encode(double, prefix: false) == "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3")
    }
}
