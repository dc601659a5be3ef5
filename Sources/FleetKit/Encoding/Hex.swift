/// Hexadecimal text to bytes and back (`0x`-prefixed, lowercase, as Ethereum and most
/// chains write it), and the shape check inventories and configuration files use.
///
/// One helper for every kit: rules of a particular file (exact lengths, a lowercase `0x`
/// only, the messages) stay with the kit that reads that file, on top of these.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Whether a `0x` (or `0X`) in front of the digits is needed.
    public enum Prefix: Sendable {
        /// The digits must follow `0x`.
        case required
        /// `0x` may stand in front of the digits or not.
        case optional
        /// Digits only; text starting with `0x` does not match.
        case absent
    }

    /// Returns two lowercase hex digits per byte, after `0x` when `prefix` is true.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String
    where Bytes.Element == UInt8 {
        var scalars: [UInt8] = prefix ? [48, 120] : []
        for byte in bytes {
            scalars.append(digits[Int(byte >> 4)])
            scalars.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    /// Parses hex text with or without a `0x` (or `0X`) prefix, digits in any letter case;
    /// `nil` for odd lengths or non-hex characters.
    public static func decode(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)[...]
        if utf8.starts(with: [48, 120]) || utf8.starts(with: [48, 88]) { utf8 = utf8.dropFirst(2) }
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8?
        for character in utf8 {
            guard let nibble = nibbleValue(character) else { return nil }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    /// Whether `text` is exactly `digits` hex digits (any letter case), with a `0x` (or
    /// `0X`) in front as `prefix` says.
    public static func matches(_ text: String, digits: Int, prefix: Prefix) -> Bool {
        var body = Substring(text)
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            if prefix == .absent { return false }
            body = body.dropFirst(2)
        } else if prefix == .required {
            return false
        }
        return body.count == digits && isDigits(body)
    }

    /// Whether every character of `text` is an ASCII hex digit (true for empty text).
    public static func isDigits<Text: StringProtocol>(_ text: Text) -> Bool {
        text.utf8.allSatisfy { nibbleValue($0) != nil }
    }

    /// The value of one ASCII hex digit, or `nil`.
    public static func nibbleValue(_ character: UInt8) -> UInt8? {
        switch character {
        case 48...57: return character - 48
        case 97...102: return character - 87
        case 65...70: return character - 55
        default: return nil
        }
    }
}
