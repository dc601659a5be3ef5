import FleetKit

extension AccountPublicKey {
    /// The bech32 prefix of Gonka account addresses.
    public static let gonkaAddressPrefix = "gonka"

    /// The account address this public key controls, as the Cosmos SDK derives it for
    /// secp256k1 keys: bech32 with `prefix` of RIPEMD-160(SHA-256(the 33 key bytes)). For
    /// `ACCOUNT_PUBKEY` this is the cold account, under which the node is registered as a
    /// participant (and which the original's participant check should have looked up).
    public func accountAddress(prefix: String = gonkaAddressPrefix) throws(Bech32Error) -> String {
        try Bech32.encode(prefix: prefix, data: RIPEMD160Digest.hash(SHA256Digest.hash(bytes)))
    }
}
