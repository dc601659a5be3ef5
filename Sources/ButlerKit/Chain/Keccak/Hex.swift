/// Hexadecimal text to bytes and back, as Ethereum writes it (`0x`-prefixed, lowercase).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Returns `0x` followed by two lowercase hex digits per byte.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes, prefix: Bool = true) -> String
    where Bytes.Element == UInt8 {
        var scalars: [UInt8] = prefix ? [48, 120] : []
        for byte in bytes {
            scalars.append(digits[Int(byte >> 4)])
            scalars.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: scalars, as: UTF8.self)
    }

    /// Parses hex text with or without a `0x` prefix; returns `nil` for odd lengths or non-hex characters.
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

    /// The value of one ASCII hex digit, or `nil`.
    static func nibbleValue(_ character: UInt8) -> UInt8? {
        switch character {
        case 48...57: return character - 48
        case 97...102: return character - 87
        case 65...70: return character - 55
        default: return nil
        }
    }
}
