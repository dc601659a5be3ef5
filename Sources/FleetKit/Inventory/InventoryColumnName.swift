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
    public static let secretWords = ["key", "secret", "password", "passwd", "passphrase", "mnemonic", "token", "seed", "credential",
                                     "privkey", "private", "apikey", "auth"]

    /// Short words that make a column secret when they are a whole word of its normalised
    /// name (`pwd`, `ssh_pw`, `priv`), so `passenger` or `private_ip` alone do not.
    public static let secretTokens = ["pwd", "pw", "pass", "priv", "pk", "sk", "pin", "otp"]

    /// Long words whose misspellings (one letter left out, added, changed or two swapped)
    /// still make a column secret: `ssh_pasword`, `pasphrase`, `secert`, `mnemonc`.
    public static let misspelledSecretWords = ["password", "passphrase", "secret", "mnemonic", "private", "credential"]

    /// Names that contain a secret word but hold none.
    static let publicNames = ["publickey", "pubkey", "privateip", "privateaddress", "privatenetwork", "keyfile", "identityfile", "sshkeyfile",
                              "keypath", "sshkeypath"]

    /// Whether a column that no field claims holds secrets: its normalised name contains
    /// one of ``secretWords``, has one of ``secretTokens`` as a word, or has a word within
    /// one edit of ``misspelledSecretWords`` (a public key, `pubkey`, a private IP or a key
    /// file path is not secret).
    public static func looksSecret(_ normalized: String) -> Bool {
        let compact = normalized.replacingOccurrences(of: "_", with: "")
        if publicNames.contains(where: { compact.hasSuffix($0) }) { return false }
        if secretWords.contains(where: { compact.contains($0) }) { return true }
        let words = normalized.split(separator: "_").map(String.init)
        if words.contains(where: { secretTokens.contains($0) }) { return true }
        return words.contains { word in
            misspelledSecretWords.contains { isWithinOneEdit(word, $0) }
        }
    }

    /// Whether `word` becomes `target` by one deleted, inserted or changed letter, or two
    /// neighbours swapped (or already is it).
    static func isWithinOneEdit(_ word: String, _ target: String) -> Bool {
        let a = Array(word), b = Array(target)
        guard abs(a.count - b.count) <= 1, b.count >= 5 else { return false }
        if a == b { return true }
        if a.count == b.count {
            let differing = a.indices.filter { a[$0] != b[$0] }
            if differing.count == 1 { return true }
            return differing.count == 2 && differing[1] == differing[0] + 1
                && a[differing[0]] == b[differing[1]] && a[differing[1]] == b[differing[0]]
        }
        let (long, short) = a.count > b.count ? (a, b) : (b, a)
        var i = 0
        while i < short.count && long[i] == short[i] { i += 1 }
        return Array(long[(i + 1)...]) == Array(short[i...])
    }
}
