import FleetKit

/// The 4-byte selector that starts the call data of a contract function.
public struct FunctionSelector: Sendable, Hashable, CustomStringConvertible {
    /// The four selector bytes.
    public let bytes: [UInt8]

    /// Computes the selector of a canonical signature such as `transfer(address,uint256)`:
    /// the first four bytes of its Keccak-256 hash.
    public init(signature: String) {
        bytes = Array(Keccak256.hash(utf8: signature).prefix(4))
    }

    /// The selector as `0x`-prefixed lowercase hex, e.g. `0xa9059cbb`.
    public var hex: String { Hex.encode(bytes) }

    /// Same as ``hex``.
    public var description: String { hex }
}

/// The topic0 that identifies an event in logs: the Keccak-256 hash of its canonical signature.
public struct EventTopic: Sendable, Hashable, CustomStringConvertible {
    /// The 32 topic bytes.
    public let bytes: [UInt8]

    /// Computes topic0 of a canonical event signature such as
    /// `StakedWithProvider(uint256,address,address,address,address)`.
    public init(signature: String) {
        bytes = Keccak256.hash(utf8: signature)
    }

    /// The topic as `0x`-prefixed lowercase hex.
    public var hex: String { Hex.encode(bytes) }

    /// Same as ``hex``.
    public var description: String { hex }
}
