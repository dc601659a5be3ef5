import FleetKit

/// A 20-byte Ethereum account or contract address.
///
/// Equality compares bytes, so addresses written in different letter cases are equal.
public struct EthereumAddress: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 20 address bytes.
    public let bytes: [UInt8]

    /// The zero address.
    public static let zero = EthereumAddress(uncheckedBytes: [UInt8](repeating: 0, count: 20))

    private init(uncheckedBytes: [UInt8]) { bytes = uncheckedBytes }

    /// Creates an address from exactly 20 bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses 40 hex digits with an optional `0x` prefix, in any letter case.
    public init?(hex text: String) {
        guard let decoded = Hex.decode(text), decoded.count == 20 else { return nil }
        bytes = decoded
    }

    /// Lowercase `0x`-prefixed hex, the form used as a map key.
    public var lowercaseHex: String { Hex.encode(bytes) }

    /// The EIP-55 mixed-case checksummed form.
    public var checksummed: String {
        let lower = Hex.encode(bytes, prefix: false)
        let hash = Keccak256.hash(utf8: lower)
        var result = "0x"
        for (index, character) in lower.enumerated() {
            let hashByte = hash[index / 2]
            let nibble = index % 2 == 0 ? hashByte >> 4 : hashByte & 0x0F
            result.append(nibble >= 8 ? Character(character.uppercased()) : character)
        }
        return result
    }

    /// Whether this is the zero address.
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// The checksummed form.
    public var description: String { checksummed }

    /// Orders addresses by their bytes.
    public static func < (lhs: EthereumAddress, rhs: EthereumAddress) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Decodes from a hex string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = EthereumAddress(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\(text) is not a 20-byte hex address.")
        }
        self = address
    }

    /// Encodes as lowercase hex.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(lowercaseHex)
    }
}
