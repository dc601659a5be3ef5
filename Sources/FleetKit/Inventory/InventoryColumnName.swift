import Foundation

/// How header names are compared, and which of them name secrets.
public enum InventoryColumnName {
    /// The header as a person meant it: Unicode format characters (a stray BOM, a
    /// zero-width space, direction marks) removed, NFC, trimmed.
    public static func clean(_ header: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in header.precomposedStringWithCanonicalMapping.unicodeScalars
        where scalar.properties.generalCategory != .format {
            scalars.append(scalar)
        }
        return String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The form names are matched in: ``clean(_:)``, lowercased, with `-`, `_`, `.` and
    /// runs of spaces all turned into one `_`. `Private Key`, `private-key` and
    /// `PRIVATE_KEY` all become `private_key`.
    public static func normalize(_ header: String) -> String {
        var result = ""
        var lastWasSeparator = false
        for character in clean(header).lowercased() {
            if character == "-" || character == "_" || character == "." || character.isWhitespace {
                if !lastWasSeparator { result.append("_") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }

    /// Words that make a column secret wherever they appear in its normalised name.
    public static let secretWords = ["key", "secret", "password", "passwd", "passphrase", "mnemonic", "token", "seed", "credential"]

    /// Whether a column that no field claims holds secrets: its normalised name contains
    /// one of ``secretWords`` (a public key or `pubkey` is not secret).
    public static func looksSecret(_ normalized: String) -> Bool {
        let compact = normalized.replacingOccurrences(of: "_", with: "")
        if compact.hasSuffix("publickey") || compact.hasSuffix("pubkey") { return false }
        return secretWords.contains { compact.contains($0) }
    }
}

/// Values that are secrets by their shape, whatever their column is called.
public enum SecretShape {
    /// Whether `value` looks like a private key (64 hex digits, with or without `0x`) or a
    /// BIP-39 mnemonic (12, 15, 18, 21 or 24 lowercase words).
    public static func matches(_ value: String) -> Bool {
        isPrivateKey(value) || isMnemonic(value)
    }

    /// 64 hex digits, optionally after `0x`.
    public static func isPrivateKey(_ value: String) -> Bool {
        Hex.matches(value.trimmingCharacters(in: .whitespaces), digits: 64, prefix: .optional)
    }

    /// 12, 15, 18, 21 or 24 words of lowercase ASCII letters separated by whitespace.
    public static func isMnemonic(_ value: String) -> Bool {
        let words = value.split(whereSeparator: { $0.isWhitespace })
        guard [12, 15, 18, 21, 24].contains(words.count) else { return false }
        return words.allSatisfy { word in
            (2...8).contains(word.count) && word.allSatisfy { $0.isASCII && $0.isLowercase && $0.isLetter }
        }
    }
}
