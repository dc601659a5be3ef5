/// Hexadecimal text, as keys and addresses are written in inventories.
public enum HexText {
    /// Whether `text` is exactly `digits` hex digits, after a `0x` (or `0X`) that is
    /// required or optional.
    public static func matches(_ text: String, digits: Int, requirePrefix: Bool) -> Bool {
        var body = Substring(text)
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            body = body.dropFirst(2)
        } else if requirePrefix {
            return false
        }
        return body.count == digits && body.allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}
