/// Checks and display of values people type into configuration files: addresses, user
/// names, and the text of a bad value shown back in an error.
///
/// These are the checks FleetKit applies to inventory cells, offered to kits that read
/// their own configuration formats so every tool accepts and rejects the same values.
public enum ConfigValueText {
    /// Whether `text` is an IPv4 dotted quad with every part from 0 to 255 and no leading zeros.
    public static func isIPv4(_ text: String) -> Bool {
        InventoryValueCheck.isIPv4(text)
    }

    /// Whether `text` is an IPv6 address as `inet_pton` reads it, without brackets or a zone.
    public static func isIPv6(_ text: String) -> Bool {
        InventoryValueCheck.isIPv6(text)
    }

    /// Whether `text` is an RFC 1123 host name: dot-separated labels of letters, digits and
    /// inner hyphens, each at most 63 characters, at most 253 in all.
    public static func isHostname(_ text: String) -> Bool {
        text.utf8.count <= 253 && InventoryValueCheck.isHostname(text)
    }

    /// Whether `text` is a usable login name: a letter or `_`, then letters, digits, `_`, `.` or `-`.
    public static func isUserName(_ text: String) -> Bool {
        InventoryValueCheck.isValidUser(text)
    }

    /// `text` cut to 200 characters with control and format characters shown as `\u{…}`,
    /// so an error message cannot be broken or disguised by the value it quotes.
    public static func visible(_ text: String) -> String {
        TerminalText.quoted(text)
    }

    /// The candidate a mistyped `word` most likely meant, when one is within a few edits.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        CommandLineSuggestion.closest(to: word, among: candidates)
    }
}
