import FleetTestSupport
import GonkaKit
import Testing

/// The cold account's address derived from ACCOUNT_PUBKEY. The expected addresses were
/// computed independently with Python (hashlib's sha256 and ripemd160, BIP-173's reference
/// bech32 code).
@Suite(.tags(.unit)) struct AccountAddressTests {
    @Test(arguments: [
        ("A6Mh+ZZil8mCUSIJG9iWLj/IH5PfCJaMoAX3U70c2GE/", "gonka14vyhz7henu2lxssa02lf3qwmufv8kvxzn85frf", "cosmos14vyhz7henu2lxssa02lf3qwmufv8kvxzrjnhyt"),
        ("AyL2pSxVNNfHDNE1DgRb7Xw3KMWeQRJuIZCS3jUcSv8x", "gonka17qvl4jjepcl3psktmv8w2m83x6p4z3atlpfzqc", "cosmos17qvl4jjepcl3psktmv8w2m83x6p4z3at05wu86"),
    ])
    func addressOfPublicKey(base64: String, gonka: String, cosmos: String) throws {
        let key = try #require(AccountPublicKey(base64))
        #expect(try key.accountAddress() == gonka)
        #expect(try key.accountAddress(prefix: "cosmos") == cosmos)
    }
}
