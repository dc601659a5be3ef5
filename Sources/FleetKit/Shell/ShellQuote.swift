import Foundation

/// Quotes values for a POSIX shell.
///
/// This is the one function every value passes through before it becomes part of a
/// command that a remote shell parses. Single quotes make everything literal except a
/// single quote itself, which is closed, escaped and reopened: `it's` → `'it'\''s'`.
public enum ShellQuote {
    /// Characters that never need quoting in a POSIX shell word.
    private static let safeScalars: Set<Unicode.Scalar> = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-".unicodeScalars)

    /// Returns `value` as one shell word that the shell reads back byte for byte.
    ///
    /// Plain words (letters, digits and `@%_+=:,./-`) come back unchanged so commands stay
    /// readable in logs; anything else is single-quoted. The empty string becomes `''`.
    public static func quote(_ value: String) -> String {
        if value.isEmpty { return "''" }
        if isPlainWord(value) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Whether `value` is made only of letters, digits and `@%_+=:,./-`, so that shells and
    /// other readers of `NAME=value` lines (env files) take it as it is without quotes.
    public static func isPlainWord(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { safeScalars.contains($0) }
    }

    /// Quotes each argument and joins them with spaces into one command line.
    public static func join(_ arguments: [String]) -> String {
        arguments.map(quote).joined(separator: " ")
    }
}
