/// An amount of ETH written in decimal (`0.1`, `2`, `.5`), kept exactly as wei.
public struct EtherAmount: Sendable, Hashable, CustomStringConvertible {
    /// The amount in wei (10⁻¹⁸ ETH).
    public let wei: UInt256
    /// The text as written.
    public let text: String

    /// Parses decimal ETH: digits with at most one `.` and at most 18 digits after it; nil for
    /// anything else (signs, exponents, more decimals than wei can hold, overflow).
    public init?(ether text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), fraction.count <= 18,
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var wei = UInt256.zero
        for digit in (whole + fraction + String(repeating: "0", count: 18 - fraction.count)).utf8 {
            guard let next = wei.multipliedAndAdded(multiplier: 10, addend: UInt64(digit - 48)) else { return nil }
            wei = next
        }
        self.wei = wei
        self.text = text
    }

    /// The text as written.
    public var description: String { text }
}
