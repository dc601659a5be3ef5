/// Public keys of validator private keys: the attester's Ethereum address (secp256k1) and its
/// compressed BLS public key (BN254 G1), as the `aztec` CLI and the original Butler derive them.
public enum PublicKeyDerivation {
    /// The uncompressed secp256k1 public key of `privateKey` (32 bytes, big-endian): 64 bytes,
    /// x then y, without the 0x04 prefix; `nil` unless the key is 32 bytes in 1 ..< n.
    public static func secp256k1PublicKey(privateKey: [UInt8]) -> [UInt8]? {
        guard privateKey.count == 32, let scalar = UInt256(bigEndian: privateKey),
              scalar != .zero, scalar < EllipticCurve.secp256k1.order,
              let point = EllipticCurve.secp256k1.multiplyGenerator(by: scalar) else { return nil }
        return point.x.bigEndianBytes + point.y.bigEndianBytes
    }

    /// The Ethereum address of `privateKey`: the last 20 bytes of keccak-256 of the
    /// uncompressed public key without its prefix; `nil` for a key outside 1 ..< n.
    public static func ethereumAddress(privateKey: [UInt8]) -> EthereumAddress? {
        guard let publicKey = secp256k1PublicKey(privateKey: privateKey) else { return nil }
        return EthereumAddress(bytes: Array(Keccak256.hash(publicKey).suffix(20)))
    }

    /// The BN254 G1 public key `sk · G1` of `privateKey` (32 bytes, big-endian; taken modulo
    /// the group order, as Aztec does), compressed the way Aztec writes it: x in 32 big-endian
    /// bytes with the top bit set when y is odd. `nil` for a key that is not 32 bytes or is a
    /// multiple of the group order.
    public static func blsPublicKey(privateKey: [UInt8]) -> [UInt8]? {
        guard privateKey.count == 32, let scalar = UInt256(bigEndian: privateKey),
              let point = EllipticCurve.bn254.multiplyGenerator(by: scalar) else { return nil }
        var bytes = point.x.bigEndianBytes
        if point.y.bigEndianBytes[31] & 1 == 1 { bytes[0] |= 0x80 }
        return bytes
    }
}
