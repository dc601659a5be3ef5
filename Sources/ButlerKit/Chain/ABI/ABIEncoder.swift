/// Encodes values into the Solidity contract ABI.
public enum ABIEncoder {
    /// Encodes `values` as the tuple `types` (the layout of call arguments and return data).
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIEncodingError) -> [UInt8] {
        try encodeTuple(values, types: types, path: "value")
    }

    /// Encodes one value of one type (as the single element of a tuple, like a one-argument call).
    public static func encode(_ value: ABIValue, as type: ABIType) throws(ABIEncodingError) -> [UInt8] {
        try encode([value], as: [type])
    }

    /// Encodes a function call: the 4-byte selector followed by the encoded arguments.
    public static func encodeCall(
        _ selector: FunctionSelector, arguments: [ABIValue], types: [ABIType]
    ) throws(ABIEncodingError) -> [UInt8] {
        selector.bytes + (try encode(arguments, as: types))
    }

    private static func encodeTuple(
        _ values: [ABIValue], types: [ABIType], path: String
    ) throws(ABIEncodingError) -> [UInt8] {
        guard values.count == types.count else {
            throw ABIEncodingError(
                path: path, type: .tuple(types),
                reason: "it has \(types.count) elements but \(values.count) values were given")
        }
        let headLength = types.reduce(0) { $0 &+ $1.headSize }
        var head: [UInt8] = []
        var tail: [UInt8] = []
        head.reserveCapacity(headLength)
        for (index, (value, type)) in zip(values, types).enumerated() {
            let encoded = try encodeValue(value, type: type, path: "\(path)[\(index)]")
            if type.isDynamic {
                head += UInt256(UInt64(headLength &+ tail.count)).bigEndianBytes
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    private static func encodeValue(
        _ value: ABIValue, type: ABIType, path: String
    ) throws(ABIEncodingError) -> [UInt8] {
        func mismatch(_ reason: String) -> ABIEncodingError {
            ABIEncodingError(path: path, type: type, reason: reason)
        }
        switch (type, value) {
        case (.uint(let bits), .uint(let number)):
            guard number.bitWidth <= bits else { throw mismatch("\(number) does not fit in \(bits) bits") }
            return number.bigEndianBytes
        case (.int(let bits), .int(let number)):
            guard number.signedBitWidth <= bits else { throw mismatch("\(number) does not fit in \(bits) bits") }
            return number.bitPattern.bigEndianBytes
        case (.address, .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case (.bool, .bool(let flag)):
            return UInt256(flag ? 1 : 0).bigEndianBytes
        case (.fixedBytes(let size), .fixedBytes(let bytes)):
            guard bytes.count == size else { throw mismatch("it needs \(size) bytes but \(bytes.count) were given") }
            return padded(bytes)
        case (.bytes, .bytes(let bytes)):
            return UInt256(UInt64(bytes.count)).bigEndianBytes + padded(bytes)
        case (.string, .string(let text)):
            let bytes = Array(text.utf8)
            return UInt256(UInt64(bytes.count)).bigEndianBytes + padded(bytes)
        case (.fixedArray(let element, let count), .array(let elements)):
            guard elements.count == count else {
                throw mismatch("it needs \(count) elements but \(elements.count) were given")
            }
            return try encodeTuple(elements, types: Array(repeating: element, count: count), path: path)
        case (.array(let element), .array(let elements)):
            return UInt256(UInt64(elements.count)).bigEndianBytes
                + (try encodeTuple(elements, types: Array(repeating: element, count: elements.count), path: path))
        case (.tuple(let types), .tuple(let elements)):
            return try encodeTuple(elements, types: types, path: path)
        default:
            throw mismatch("the value \(value) is of another kind")
        }
    }

    /// Right-pads to a multiple of 32 bytes.
    private static func padded(_ bytes: [UInt8]) -> [UInt8] {
        let remainder = bytes.count % 32
        return remainder == 0 ? bytes : bytes + [UInt8](repeating: 0, count: 32 - remainder)
    }
}

/// Thrown when a value does not match the ABI type it is encoded as.
public struct ABIEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the value tree the mismatch is, e.g. `value[2][0]`.
    public let path: String
    /// The type expected there.
    public let type: ABIType
    /// What was wrong.
    public let reason: String

    /// A sentence naming the place, the type and the problem.
    public var description: String { "Cannot encode \(path) as \(type): \(reason)." }
}
