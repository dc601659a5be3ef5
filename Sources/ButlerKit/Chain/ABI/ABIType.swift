/// A Solidity ABI type, as it appears in function signatures.
public indirect enum ABIType: Sendable, Hashable, CustomStringConvertible {
    /// `uintN` for N in 8, 16, …, 256.
    case uint(Int)
    /// `intN` for N in 8, 16, …, 256.
    case int(Int)
    /// `address`.
    case address
    /// `bool`.
    case bool
    /// `bytesN` for N in 1…32.
    case fixedBytes(Int)
    /// `bytes`, dynamic length.
    case bytes
    /// `string`, UTF-8, dynamic length.
    case string
    /// `T[]`, dynamic length.
    case array(ABIType)
    /// `T[k]`, fixed length.
    case fixedArray(ABIType, Int)
    /// `(T1,T2,…)`.
    case tuple([ABIType])

    /// `uint256`.
    public static let uint256 = ABIType.uint(256)

    /// The canonical name used in signatures, e.g. `(address,bool,bytes)[]`.
    public var description: String {
        switch self {
        case .uint(let bits): return "uint\(bits)"
        case .int(let bits): return "int\(bits)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let size): return "bytes\(size)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let element): return "\(element)[]"
        case .fixedArray(let element, let count): return "\(element)[\(count)]"
        case .tuple(let elements): return "(" + elements.map(\.description).joined(separator: ",") + ")"
        }
    }

    /// Whether values of this type are encoded out of line (behind an offset).
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let element, let count): return count > 0 && element.isDynamic
        case .tuple(let elements): return elements.contains { $0.isDynamic }
        default: return false
        }
    }

    /// Bytes the type takes in the head of an enclosing tuple: 32 for dynamic types, its full size otherwise.
    var headSize: Int {
        if isDynamic { return 32 }
        switch self {
        case .fixedArray(let element, let count): return element.headSize &* count
        case .tuple(let elements): return elements.reduce(0) { $0 &+ $1.headSize }
        default: return 32
        }
    }

    /// Parses a canonical type name such as `uint256`, `bytes32[]` or `(address,(uint256,uint256))[3]`.
    ///
    /// `uint` and `int` are read as `uint256` and `int256`.
    public init(parsing text: String) throws(ABITypeParseError) {
        var parser = ABITypeParser(text: Array(text.utf8), original: text)
        let type = try parser.parseType()
        guard parser.isAtEnd else { throw parser.error("unexpected text after the type") }
        self = type
    }
}

/// Thrown when a type name is not a valid ABI type.
public struct ABITypeParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was parsed.
    public let text: String
    /// The character position where parsing failed.
    public let position: Int
    /// What was wrong.
    public let reason: String

    /// A sentence naming the text, the position and the problem.
    public var description: String {
        "\"\(text)\" is not a valid ABI type: \(reason) at character \(position)."
    }
}

/// Recursive-descent parser behind ``ABIType/init(parsing:)``.
private struct ABITypeParser {
    let text: [UInt8]
    let original: String
    var position = 0

    var isAtEnd: Bool { position >= text.count }

    func error(_ reason: String) -> ABITypeParseError {
        ABITypeParseError(text: original, position: position, reason: reason)
    }

    mutating func parseType() throws(ABITypeParseError) -> ABIType {
        var type: ABIType
        if position < text.count, text[position] == UInt8(ascii: "(") {
            position += 1
            var elements: [ABIType] = []
            if position < text.count, text[position] == UInt8(ascii: ")") {
                position += 1
            } else {
                while true {
                    elements.append(try parseType())
                    guard position < text.count else { throw error("missing \")\"") }
                    let separator = text[position]
                    position += 1
                    if separator == UInt8(ascii: ")") { break }
                    guard separator == UInt8(ascii: ",") else { throw error("expected \",\" or \")\"") }
                }
            }
            type = .tuple(elements)
        } else {
            type = try parseElementary()
        }
        while position < text.count, text[position] == UInt8(ascii: "[") {
            position += 1
            let digitsStart = position
            while position < text.count, (48...57).contains(text[position]) { position += 1 }
            let digits = String(decoding: text[digitsStart..<position], as: UTF8.self)
            guard position < text.count, text[position] == UInt8(ascii: "]") else { throw error("missing \"]\"") }
            position += 1
            if digits.isEmpty {
                type = .array(type)
            } else {
                guard let count = Int(digits), count <= 1_000_000 else { throw error("array length too large") }
                type = .fixedArray(type, count)
            }
        }
        return type
    }

    mutating func parseElementary() throws(ABITypeParseError) -> ABIType {
        let start = position
        while position < text.count, text[position].isLetterOrDigit { position += 1 }
        let word = String(decoding: text[start..<position], as: UTF8.self)
        switch word {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        case "uint": return .uint(256)
        case "int": return .int(256)
        default: break
        }
        for (prefix, make) in [("uint", ABIType.uint), ("int", ABIType.int)] where word.hasPrefix(prefix) {
            guard let bits = Int(word.dropFirst(prefix.count)), bits % 8 == 0, (8...256).contains(bits) else {
                throw error("\(word) needs a bit width that is a multiple of 8 from 8 to 256")
            }
            return make(bits)
        }
        if word.hasPrefix("bytes") {
            guard let size = Int(word.dropFirst(5)), (1...32).contains(size) else {
                throw error("\(word) needs a size from 1 to 32")
            }
            return .fixedBytes(size)
        }
        throw error(word.isEmpty ? "expected a type name" : "unknown type \"\(word)\"")
    }
}

extension UInt8 {
    fileprivate var isLetterOrDigit: Bool {
        (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self)
    }
}
