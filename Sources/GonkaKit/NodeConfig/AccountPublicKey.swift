import FleetKit
import Foundation

/// The cold account's public key as `ACCOUNT_PUBKEY` holds it: base64 of a 33-byte
/// compressed secp256k1 key (first byte 0x02 or 0x03), as `inferenced keys show` prints it.
public struct AccountPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The base64 text, as given.
    public let base64: String
    /// The 33 key bytes.
    public let bytes: [UInt8]

    /// The key in `text`, or nil when `text` is not one; `problem(in:)` says why.
    public init?(_ text: String) {
        guard Self.problem(in: text) == nil, let data = Data(base64Encoded: text) else { return nil }
        base64 = text
        bytes = Array(data)
    }

    /// The base64 text.
    public var description: String { base64 }

    /// Why `text` is not a compressed secp256k1 public key in base64, as a phrase that
    /// follows "ACCOUNT_PUBKEY"; nil when it is one.
    public static func problem(in text: String) -> String? {
        let expected = "expected the cold key's public key: base64 of 33 bytes, the \"key\" value of `inferenced keys show <cold key>` (44 characters)"
        if text.hasPrefix("gonka1") {
            return "is an address (gonka1…), not a public key; \(expected)"
        }
        if text.contains("{") || text.contains("\"") {
            return "looks like JSON; give only the value of \"key\"; \(expected)"
        }
        guard let data = Data(base64Encoded: text) else {
            return "is not base64 (letters, digits, '+' and '/', '=' padding); \(expected)"
        }
        guard data.count == 33 else {
            return "decodes to \(data.count) bytes, not 33; \(expected)"
        }
        guard let first = data.first, first == 0x02 || first == 0x03 else {
            return "starts with the byte \(Hex.encode(data.prefix(1))), but a compressed secp256k1 key starts with 0x02 or 0x03"
        }
        return nil
    }
}
