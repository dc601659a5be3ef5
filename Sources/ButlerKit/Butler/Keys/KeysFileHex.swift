import FleetKit

/// An Ethereum address as a keys file spells it: `0x` and 40 hex digits in any letter case.
///
/// The text is kept as written (checksummed or not) and written back unchanged; two values
/// are equal when their bytes are, whatever the letter case.
public struct KeysFileAddress: Sendable, Hashable, CustomStringConvertible {
    /// The 20 address bytes.
    public let address: EthereumAddress
    /// The text as the file wrote it.
    public let text: String

    /// Parses `0x` followed by exactly 40 hex digits; `nil` for anything else.
    public init?(_ text: String) {
        guard Hex.matches(text, digits: 40, prefix: .required), text.hasPrefix("0x"),
              let address = EthereumAddress(hex: text) else { return nil }
        self.address = address
        self.text = text
    }

    /// Wraps an address, spelled in lowercase.
    public init(_ address: EthereumAddress) {
        self.address = address
        self.text = address.lowercaseHex
    }

    /// Lowercase `0x` hex, the key attesters and publishers are merged by.
    public var lowercased: String { address.lowercaseHex }

    /// The text as written.
    public var description: String { text }

    /// Equal when the bytes are.
    public static func == (lhs: KeysFileAddress, rhs: KeysFileAddress) -> Bool { lhs.address == rhs.address }

    /// Hashes the bytes only, matching `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(address) }
}

/// A 32-byte value of a keys file (a BLS key, a fee recipient): `0x` and 64 hex digits.
///
/// The text is kept as written and written back unchanged. Its description never shows the
/// digits, since `attester.bls` may be a private key.
public struct KeysFileBytes32: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes: [UInt8]
    /// The text as the file wrote it.
    public let text: String

    /// Parses `0x` followed by exactly 64 hex digits; `nil` for anything else.
    public init?(_ text: String) {
        guard Hex.matches(text, digits: 64, prefix: .required), text.hasPrefix("0x"),
              let bytes = Hex.decode(text), bytes.count == 32 else { return nil }
        self.bytes = bytes
        self.text = text
    }

    /// Whether every byte is zero (the fee recipient today).
    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// "0x…(32 bytes)", never the digits.
    public var description: String { "0x…(32 bytes)" }

    /// Equal when the bytes are.
    public static func == (lhs: KeysFileBytes32, rhs: KeysFileBytes32) -> Bool { lhs.bytes == rhs.bytes }

    /// Hashes the bytes only, matching `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
