import FleetKit

/// An unsigned 256-bit integer: the `uint256` of the EVM.
///
/// Stored as four 64-bit limbs, most significant first. Only what chain reads need is
/// provided: conversions to and from bytes, decimal and hex text, comparison, and
/// narrowing to `UInt64`/`Int` when the value fits.
public struct UInt256: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// Limbs, most significant first.
    public let limbs: (UInt64, UInt64, UInt64, UInt64)

    /// Zero.
    public static let zero = UInt256(0)
    /// 2²⁵⁶ − 1.
    public static let max = UInt256(limbs: (.max, .max, .max, .max))

    /// Creates a value from four limbs, most significant first.
    public init(limbs: (UInt64, UInt64, UInt64, UInt64)) { self.limbs = limbs }

    /// Creates a value equal to `value`.
    public init(_ value: UInt64) { limbs = (0, 0, 0, value) }

    /// Creates a value from an integer literal.
    public init(integerLiteral value: UInt64) { self.init(value) }

    /// Creates a value from up to 32 big-endian bytes; `nil` when there are more than 32.
    public init?<Bytes: Collection>(bigEndian bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count <= 32 else { return nil }
        var padded = [UInt8](repeating: 0, count: 32 - bytes.count)
        padded.append(contentsOf: bytes)
        var words: [UInt64] = []
        for limb in 0..<4 {
            var word: UInt64 = 0
            for byte in padded[(limb * 8)..<(limb * 8 + 8)] { word = word << 8 | UInt64(byte) }
            words.append(word)
        }
        limbs = (words[0], words[1], words[2], words[3])
    }

    /// Parses decimal digits; `nil` for empty text, non-digits or values above 2²⁵⁶ − 1.
    public init?(decimal text: String) {
        guard !text.isEmpty else { return nil }
        var value = UInt256.zero
        for character in text.utf8 {
            guard character >= 48, character <= 57,
                let next = value.multipliedAndAdded(multiplier: 10, addend: UInt64(character - 48))
            else { return nil }
            value = next
        }
        self = value
    }

    /// Parses hex text with an optional `0x` prefix (an Ethereum JSON-RPC quantity); `nil` when invalid or too large.
    public init?(hex text: String) {
        var digits = Array(text.utf8)[...]
        if digits.starts(with: [48, 120]) || digits.starts(with: [48, 88]) { digits = digits.dropFirst(2) }
        guard !digits.isEmpty else { return nil }
        var value = UInt256.zero
        for character in digits {
            guard let nibble = Hex.nibbleValue(character),
                let next = value.multipliedAndAdded(multiplier: 16, addend: UInt64(nibble))
            else { return nil }
            value = next
        }
        self = value
    }

    /// The 32 big-endian bytes of the value.
    public var bigEndianBytes: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for word in [limbs.0, limbs.1, limbs.2, limbs.3] {
            for shift in stride(from: 56, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return bytes
    }

    /// The value when it fits in a `UInt64`, else `nil`.
    public var uint64Value: UInt64? {
        limbs.0 == 0 && limbs.1 == 0 && limbs.2 == 0 ? limbs.3 : nil
    }

    /// The nearest `Double`: exact up to 2^53, larger values lose their low digits as any
    /// float does. For metrics and display, never for arithmetic on amounts.
    public var doubleValue: Double {
        ((Double(limbs.0) * 0x1p64 + Double(limbs.1)) * 0x1p64 + Double(limbs.2)) * 0x1p64 + Double(limbs.3)
    }

    /// The value when it fits in an `Int`, else `nil`.
    public var intValue: Int? {
        uint64Value.flatMap { Int(exactly: $0) }
    }

    /// The number of bits needed to write the value (0 for zero).
    public var bitWidth: Int {
        let words = [limbs.0, limbs.1, limbs.2, limbs.3]
        for (index, word) in words.enumerated() where word != 0 {
            return (4 - index) * 64 - word.leadingZeroBitCount
        }
        return 0
    }

    /// The value in decimal.
    public var description: String {
        if self == .zero { return "0" }
        var digits: [UInt8] = []
        var value = self
        while value != .zero {
            let (quotient, remainder) = value.dividedWithRemainder(by: 10)
            digits.append(UInt8(truncatingIfNeeded: remainder) + 48)
            value = quotient
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// The value as an Ethereum JSON-RPC quantity: `0x` and hex digits without leading zeros.
    public var hexQuantity: String {
        let hex = Hex.encode(bigEndianBytes, prefix: false).drop(while: { $0 == "0" })
        return "0x" + (hex.isEmpty ? "0" : hex)
    }

    /// Returns `self × multiplier + addend`, or `nil` when that exceeds 2²⁵⁶ − 1.
    public func multipliedAndAdded(multiplier: UInt64, addend: UInt64) -> UInt256? {
        var words = [limbs.0, limbs.1, limbs.2, limbs.3]
        var carry = addend
        for index in stride(from: 3, through: 0, by: -1) {
            let product = words[index].multipliedFullWidth(by: multiplier)
            let (sum, overflow) = product.low.addingReportingOverflow(carry)
            words[index] = sum
            carry = product.high &+ (overflow ? 1 : 0)
        }
        guard carry == 0 else { return nil }
        return UInt256(limbs: (words[0], words[1], words[2], words[3]))
    }

    /// Divides by a small non-zero divisor, returning quotient and remainder.
    func dividedWithRemainder(by divisor: UInt64) -> (UInt256, UInt64) {
        var words = [limbs.0, limbs.1, limbs.2, limbs.3]
        var remainder: UInt64 = 0
        for index in 0..<4 {
            let (quotient, rest) = divisor.dividingFullWidth((remainder, words[index]))
            words[index] = quotient
            remainder = rest
        }
        return (UInt256(limbs: (words[0], words[1], words[2], words[3])), remainder)
    }

    /// Two's complement negation modulo 2²⁵⁶.
    var twosComplementNegated: UInt256 {
        let inverted = [~limbs.0, ~limbs.1, ~limbs.2, ~limbs.3]
        var words = inverted
        var carry: UInt64 = 1
        for index in stride(from: 3, through: 0, by: -1) {
            let (sum, overflow) = inverted[index].addingReportingOverflow(carry)
            words[index] = sum
            carry = overflow ? 1 : 0
        }
        return UInt256(limbs: (words[0], words[1], words[2], words[3]))
    }

    /// Whether both values are equal.
    public static func == (lhs: UInt256, rhs: UInt256) -> Bool {
        lhs.limbs == rhs.limbs
    }

    /// Feeds the four limbs to `hasher`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(limbs.0)
        hasher.combine(limbs.1)
        hasher.combine(limbs.2)
        hasher.combine(limbs.3)
    }

    /// Whether `lhs` is smaller than `rhs`.
    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        [lhs.limbs.0, lhs.limbs.1, lhs.limbs.2, lhs.limbs.3]
            .lexicographicallyPrecedes([rhs.limbs.0, rhs.limbs.1, rhs.limbs.2, rhs.limbs.3])
    }
}

/// A signed 256-bit integer in two's complement: the `int256` of the EVM.
public struct Int256: Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The two's complement bit pattern.
    public let bitPattern: UInt256

    /// Creates a value from its two's complement bit pattern.
    public init(bitPattern: UInt256) { self.bitPattern = bitPattern }

    /// Creates a value equal to `value`.
    public init(_ value: Int64) {
        let magnitude = UInt256(value.magnitude)
        bitPattern = value < 0 ? magnitude.twosComplementNegated : magnitude
    }

    /// Creates a value from an integer literal.
    public init(integerLiteral value: Int64) { self.init(value) }

    /// Parses decimal text with an optional leading `-`; `nil` when invalid or out of range.
    public init?(decimal text: String) {
        let negative = text.hasPrefix("-")
        guard let magnitude = UInt256(decimal: negative ? String(text.dropFirst()) : text) else { return nil }
        let limit = UInt256(limbs: (1 << 63, 0, 0, 0))
        if negative {
            guard magnitude <= limit else { return nil }
            bitPattern = magnitude.twosComplementNegated
        } else {
            guard magnitude < limit else { return nil }
            bitPattern = magnitude
        }
    }

    /// Whether the value is below zero.
    public var isNegative: Bool { bitPattern.limbs.0 >> 63 == 1 }

    /// The absolute value.
    public var magnitude: UInt256 { isNegative ? bitPattern.twosComplementNegated : bitPattern }

    /// The value when it fits in an `Int64`, else `nil`.
    public var int64Value: Int64? {
        guard let small = magnitude.uint64Value else { return nil }
        if isNegative {
            return small <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- small) : nil
        }
        return Int64(exactly: small)
    }

    /// The number of bits needed to write the value in two's complement, sign bit included.
    public var signedBitWidth: Int {
        isNegative ? magnitude.subtractingOne().bitWidth + 1 : bitPattern.bitWidth + 1
    }

    /// The value in decimal.
    public var description: String { (isNegative ? "-" : "") + magnitude.description }

    /// Whether `lhs` is smaller than `rhs`.
    public static func < (lhs: Int256, rhs: Int256) -> Bool {
        if lhs.isNegative != rhs.isNegative { return lhs.isNegative }
        return lhs.bitPattern < rhs.bitPattern
    }
}

extension UInt256 {
    /// `self − other`, or nil when `other` is larger.
    public func subtracting(_ other: UInt256) -> UInt256? {
        guard other <= self else { return nil }
        var words = [limbs.0, limbs.1, limbs.2, limbs.3]
        let others = [other.limbs.0, other.limbs.1, other.limbs.2, other.limbs.3]
        var borrow: UInt64 = 0
        for index in stride(from: 3, through: 0, by: -1) {
            let (first, overflowA) = words[index].subtractingReportingOverflow(others[index])
            let (second, overflowB) = first.subtractingReportingOverflow(borrow)
            words[index] = second
            borrow = overflowA || overflowB ? 1 : 0
        }
        return UInt256(limbs: (words[0], words[1], words[2], words[3]))
    }

    /// `self − 1`, wrapping below zero.
    func subtractingOne() -> UInt256 {
        var words = [limbs.0, limbs.1, limbs.2, limbs.3]
        for index in stride(from: 3, through: 0, by: -1) {
            let (difference, borrow) = words[index].subtractingReportingOverflow(1)
            words[index] = difference
            if !borrow { break }
        }
        return UInt256(limbs: (words[0], words[1], words[2], words[3]))
    }
}
