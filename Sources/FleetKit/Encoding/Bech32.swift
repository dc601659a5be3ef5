/// Bech32 (BIP-173) encoding, as Cosmos chains write account addresses: a human-readable
/// prefix, `1`, the data in 5-bit groups and a 6-character checksum, all lower case.
public enum Bech32 {
    /// The 32 characters of the data part, indexed by 5-bit value.
    public static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")

    /// `prefix` + `1` + `data` regrouped from 8-bit bytes into 5-bit groups (the last one
    /// padded with zero bits) + checksum. `prefix` must be 1–83 visible ASCII characters;
    /// it is lower-cased.
    public static func encode(prefix: String, data: [UInt8]) throws(Bech32Error) -> String {
        try encode(prefix: prefix, groups: regroup(data))
    }

    /// `prefix` + `1` + `groups` (each 0…31) + checksum, for callers that already hold 5-bit groups.
    public static func encode(prefix: String, groups: [UInt8]) throws(Bech32Error) -> String {
        let lowered = prefix.lowercased()
        guard (1...83).contains(lowered.utf8.count), lowered.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw Bech32Error("the prefix must be 1 to 83 visible ASCII characters, got '\(prefix)'")
        }
        guard groups.allSatisfy({ $0 < 32 }) else { throw Bech32Error("a 5-bit group is above 31") }
        let checksum = checksum(prefix: Array(lowered.utf8), groups: groups)
        let encoded = (groups + checksum).map { alphabet[Int($0)] }
        let text = lowered + "1" + String(encoded)
        guard text.utf8.count <= 90 else { throw Bech32Error("the result would be \(text.utf8.count) characters; bech32 allows 90") }
        return text
    }

    /// Bytes as 5-bit groups, most significant bits first, the last group padded with zeros.
    public static func regroup(_ bytes: [UInt8]) -> [UInt8] {
        var groups: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                groups.append(UInt8((accumulator >> UInt32(bits)) & 31))
            }
        }
        if bits > 0 { groups.append(UInt8((accumulator << UInt32(5 - bits)) & 31)) }
        return groups
    }

    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generators: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
        var check: UInt32 = 1
        for value in values {
            let top = check >> 25
            check = (check & 0x1ffffff) << 5 ^ UInt32(value)
            for index in 0..<5 where (top >> UInt32(index)) & 1 == 1 { check ^= generators[index] }
        }
        return check
    }

    private static func checksum(prefix: [UInt8], groups: [UInt8]) -> [UInt8] {
        let expanded = prefix.map { $0 >> 5 } + [0] + prefix.map { $0 & 31 }
        let value = polymod(expanded + groups + [0, 0, 0, 0, 0, 0]) ^ 1
        return (0..<6).map { UInt8((value >> UInt32(5 * (5 - $0))) & 31) }
    }
}

/// Input bech32 cannot encode.
public struct Bech32Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the input.
    public let message: String

    init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
