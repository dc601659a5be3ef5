/// A release tag of the gonka-ai/gonka repository, such as `v0.2.5`: what an upgrade checks
/// out in each node's checkout. Only letters, digits and `.`, `_`, `-`, `+`, `/` (not first),
/// so the name is never read as an option by git and never needs more than quoting.
public struct ReleaseTag: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The tag's name.
    public let name: String

    /// Reads `text` as a tag name; `nil` when empty, longer than 100 characters, starting
    /// with anything but a letter or digit, or holding other characters.
    public init?(_ text: String) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/")
        guard let first = text.first, first.isASCII, first.isLetter || first.isNumber, text.count <= 100,
              text.allSatisfy(allowed.contains), !text.contains(".."), !text.hasSuffix("/"), !text.hasSuffix(".lock") else { return nil }
        name = text
    }

    /// The name.
    public var description: String { name }
}
