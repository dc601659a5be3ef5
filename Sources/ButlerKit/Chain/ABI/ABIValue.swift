/// A value to encode into, or decoded from, the Solidity ABI.
public indirect enum ABIValue: Sendable, Hashable {
    /// Any `uintN`.
    case uint(UInt256)
    /// Any `intN`.
    case int(Int256)
    /// `address`.
    case address(EthereumAddress)
    /// `bool`.
    case bool(Bool)
    /// `bytesN`: exactly N bytes.
    case fixedBytes([UInt8])
    /// `bytes`.
    case bytes([UInt8])
    /// `string`.
    case string(String)
    /// `T[]` or `T[k]`.
    case array([ABIValue])
    /// `(T1,T2,…)`.
    case tuple([ABIValue])

    /// A `uint` value from a machine integer.
    public static func unsigned(_ value: UInt64) -> ABIValue { .uint(UInt256(value)) }

    /// The unsigned integer inside `.uint`, else `nil`.
    public var uintValue: UInt256? { if case .uint(let value) = self { value } else { nil } }
    /// The signed integer inside `.int`, else `nil`.
    public var intValue: Int256? { if case .int(let value) = self { value } else { nil } }
    /// The address inside `.address`, else `nil`.
    public var addressValue: EthereumAddress? { if case .address(let value) = self { value } else { nil } }
    /// The flag inside `.bool`, else `nil`.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The bytes inside `.bytes` or `.fixedBytes`, else `nil`.
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let value), .fixedBytes(let value): value
        default: nil
        }
    }
    /// The text inside `.string`, else `nil`.
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    /// The elements inside `.array` or `.tuple`, else `nil`.
    public var elements: [ABIValue]? {
        switch self {
        case .array(let value), .tuple(let value): value
        default: nil
        }
    }
}
