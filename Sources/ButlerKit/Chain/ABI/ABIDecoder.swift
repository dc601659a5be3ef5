import FleetKit

/// Decodes Solidity ABI data, validating every length, offset and value range.
///
/// Malformed or short data always produces an ``ABIDecodingError`` naming what was being
/// decoded and at which byte offset; decoding never traps.
public enum ABIDecoder {
    /// Decodes `data` as the tuple `types` (the layout of return data and call arguments).
    ///
    /// - Parameter context: what the data is, for error messages, e.g. `"getAttesterView(address) return data"`.
    public static func decode(
        _ data: [UInt8], as types: [ABIType], context: String = "ABI data"
    ) throws(ABIDecodingError) -> [ABIValue] {
        let reader = Reader(data: data, context: context)
        return try reader.decodeTuple(types, base: 0, path: "value")
    }

    /// Decodes `data` as one value of `type` (the single element of a tuple, like a one-value return).
    public static func decode(
        _ data: [UInt8], as type: ABIType, context: String = "ABI data"
    ) throws(ABIDecodingError) -> ABIValue {
        let values = try decode(data, as: [type], context: context)
        guard let value = values.first else {
            throw ABIDecodingError(context: context, path: "value", type: type, offset: 0, reason: .dataTooShort(needed: 32, available: data.count))
        }
        return value
    }

    private struct Reader {
        let data: [UInt8]
        let context: String

        func fail(_ path: String, _ type: ABIType, _ offset: Int, _ reason: ABIDecodingError.Reason) -> ABIDecodingError {
            ABIDecodingError(context: context, path: path, type: type, offset: offset, reason: reason)
        }

        /// The 32-byte word at `offset`, or an error when the data ends before it.
        func word(at offset: Int, path: String, type: ABIType) throws(ABIDecodingError) -> ArraySlice<UInt8> {
            let (end, overflow) = offset.addingReportingOverflow(32)
            guard offset >= 0, !overflow, end <= data.count else {
                throw fail(path, type, offset, .dataTooShort(needed: overflow ? Int.max : end, available: data.count))
            }
            return data[offset..<end]
        }

        /// Reads a word that is an offset or a length and must be a small non-negative integer.
        func size(at offset: Int, path: String, type: ABIType, limit: Int) throws(ABIDecodingError) -> Int {
            let bytes = try word(at: offset, path: path, type: type)
            guard let number = UInt256(bigEndian: bytes), let value = number.intValue, value <= limit else {
                let number = UInt256(bigEndian: bytes) ?? .max
                throw fail(path, type, offset, .sizeOutOfRange(value: number.description, limit: limit))
            }
            return value
        }

        func decodeTuple(_ types: [ABIType], base: Int, path: String) throws(ABIDecodingError) -> [ABIValue] {
            var values: [ABIValue] = []
            values.reserveCapacity(types.count)
            var headOffset = base
            for (index, type) in types.enumerated() {
                let elementPath = "\(path)[\(index)]"
                if type.isDynamic {
                    let relative = try size(at: headOffset, path: elementPath, type: type, limit: data.count)
                    let (target, overflow) = base.addingReportingOverflow(relative)
                    guard !overflow, target <= data.count else {
                        throw fail(elementPath, type, headOffset, .sizeOutOfRange(value: "\(relative)", limit: data.count &- base))
                    }
                    values.append(try decodeValue(type, at: target, path: elementPath))
                } else {
                    values.append(try decodeValue(type, at: headOffset, path: elementPath))
                }
                headOffset = headOffset &+ type.headSize
            }
            return values
        }

        func decodeValue(_ type: ABIType, at offset: Int, path: String) throws(ABIDecodingError) -> ABIValue {
            switch type {
            case .uint(let bits):
                let bytes = try word(at: offset, path: path, type: type)
                guard let number = UInt256(bigEndian: bytes), number.bitWidth <= bits else {
                    throw fail(path, type, offset, .valueOutOfRange(Hex.encode(bytes)))
                }
                return .uint(number)
            case .int(let bits):
                let bytes = try word(at: offset, path: path, type: type)
                guard let pattern = UInt256(bigEndian: bytes), Int256(bitPattern: pattern).signedBitWidth <= bits else {
                    throw fail(path, type, offset, .valueOutOfRange(Hex.encode(bytes)))
                }
                return .int(Int256(bitPattern: pattern))
            case .address:
                let bytes = try word(at: offset, path: path, type: type)
                guard bytes.prefix(12).allSatisfy({ $0 == 0 }), let address = EthereumAddress(bytes: Array(bytes.suffix(20))) else {
                    throw fail(path, type, offset, .valueOutOfRange(Hex.encode(bytes)))
                }
                return .address(address)
            case .bool:
                let bytes = try word(at: offset, path: path, type: type)
                guard bytes.prefix(31).allSatisfy({ $0 == 0 }), let last = bytes.last, last <= 1 else {
                    throw fail(path, type, offset, .valueOutOfRange(Hex.encode(bytes)))
                }
                return .bool(last == 1)
            case .fixedBytes(let size):
                let bytes = try word(at: offset, path: path, type: type)
                return .fixedBytes(Array(bytes.prefix(size)))
            case .bytes, .string:
                let length = try size(at: offset, path: path, type: type, limit: data.count)
                let start = offset &+ 32
                let (end, overflow) = start.addingReportingOverflow(length)
                guard !overflow, end <= data.count else {
                    throw fail(path, type, offset, .dataTooShort(needed: overflow ? Int.max : end, available: data.count))
                }
                let bytes = Array(data[start..<end])
                if type == .bytes { return .bytes(bytes) }
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw fail(path, type, start, .invalidUTF8)
                }
                return .string(text)
            case .fixedArray(let element, let count):
                return .array(try decodeTuple(Array(repeating: element, count: count), base: offset, path: path))
            case .array(let element):
                // Each element takes at least 32 bytes, so a length beyond the remaining data is malformed
                // and must be rejected before anything is allocated.
                let remainingWords = Swift.max(0, (data.count &- offset &- 32) / 32)
                let count = try size(at: offset, path: path, type: type, limit: remainingWords)
                return .array(try decodeTuple(Array(repeating: element, count: count), base: offset &+ 32, path: path))
            case .tuple(let elements):
                return .tuple(try decodeTuple(elements, base: offset, path: path))
            }
        }
    }
}

/// Thrown when ABI data is short or malformed.
public struct ABIDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the data could not be decoded.
    public enum Reason: Sendable, Equatable {
        /// The data ends before `needed` bytes.
        case dataTooShort(needed: Int, available: Int)
        /// An offset or length word is larger than the data allows.
        case sizeOutOfRange(value: String, limit: Int)
        /// A word holds a value outside its type (dirty high bits, a bool other than 0 or 1).
        case valueOutOfRange(String)
        /// A `string` is not valid UTF-8.
        case invalidUTF8
    }

    /// What the data was, e.g. `getAttesterView(address) return data`.
    public let context: String
    /// Where in the value tree decoding failed, e.g. `value[0][2]`.
    public let path: String
    /// The type being decoded there.
    public let type: ABIType
    /// The byte offset in the data where the failing word starts.
    public let offset: Int
    /// Why it failed.
    public let reason: Reason

    /// A sentence naming the data, the place, the type, the offset and the problem.
    public var description: String {
        let problem: String
        switch reason {
        case .dataTooShort(let needed, let available):
            problem = "the data is \(available) bytes long but \(needed) are needed"
        case .sizeOutOfRange(let value, let limit):
            problem = "the offset or length \(value) exceeds the \(limit) the data allows"
        case .valueOutOfRange(let word):
            problem = "the word \(word) is not a valid \(type)"
        case .invalidUTF8:
            problem = "the string is not valid UTF-8"
        }
        return "Could not decode \(type) at \(path), byte offset \(offset), of \(context): \(problem)."
    }
}
