import FleetKit
import FleetTestSupport
import Foundation
import Testing
@testable import ButlerKit

/// secp256k1 addresses and BN254 G1 public keys against independent implementations in the
/// EVM venv: eth-keys (the address of a private key) and py_ecc's bn128 (k·G1, compressed as
/// Aztec does), on random keys and on the edges of the scalar range.
@Suite(.tags(.evm), .requires(.evm)) struct PublicKeyCrossCheckTests {
    struct Case: Decodable {
        let key: String
        let address: String?
        let bls: String?
    }

    static let script = """
        import json, os, sys
        from eth_keys import keys
        from py_ecc import bn128
        N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
        R = bn128.curve_order
        rng = __import__("random").Random(int(sys.argv[1]))
        scalars = [1, 2, N - 1, N - 2, R - 1, R, R + 1, 2 ** 255, 2 ** 256 - 1]
        scalars += [rng.getrandbits(256) for _ in range(60)] + [rng.getrandbits(rng.randint(1, 255)) for _ in range(20)]
        out = []
        for k in scalars:
            address = keys.PrivateKey(k.to_bytes(32, "big")).public_key.to_checksum_address() if 0 < k < N else None
            point = bn128.multiply(bn128.G1, k % R) if k % R else None
            bls = None if point is None else "0x%064x" % (int(point[0]) | ((int(point[1]) & 1) << 255))
            out.append({"key": "0x%064x" % k, "address": address, "bls": bls})
        print(json.dumps(out))
        """

    @Test(arguments: [7, 8])
    func randomKeysAgreeWithEthKeysAndPyEcc(seed: Int) async throws {
        let python = try EVMPaths.requirePython()
        let output = try await ProcessRunner.run(ProcessRequest(executable: python.path, arguments: ["-c", Self.script, String(seed)],
                                                                timeout: .seconds(300), outputLimit: 8 << 20))
        try #require(output.status == 0, "\(String(decoding: output.standardError, as: UTF8.self))")
        let cases = try JSONDecoder().decode([Case].self, from: output.standardOutput)
        #expect(cases.count == 89)
        for item in cases {
            let key = try #require(Hex.decode(item.key))
            #expect(PublicKeyDerivation.ethereumAddress(privateKey: key)?.checksummed == item.address, "address of \(item.key)")
            #expect(PublicKeyDerivation.blsPublicKey(privateKey: key).map { Hex.encode($0) } == item.bls, "BLS key of \(item.key)")
        }
    }
}
