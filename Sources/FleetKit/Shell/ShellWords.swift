/// Splits a command line a person typed into an argv array, the way a POSIX shell splits
/// words, without running a shell: no expansion, no substitution, no redirection.
///
/// Blanks separate words; `'…'` keeps everything literal; `"…"` keeps everything literal
/// except `\"`, `\\`, `\$` and `` \` ``; a backslash outside quotes keeps the next character.
/// `vault kv put "secret/app/batch 2" keys=-` gives four words.
public enum ShellWords {
    /// Why a command line cannot be split.
    public struct SplitError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong with the text.
        public let description: String
    }

    /// The words of `text`; an empty or blank text gives no words.
    /// - Throws: ``SplitError`` for an unclosed quote or a trailing backslash.
    public static func split(_ text: String) throws(SplitError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    current.append(next)
                }
                if !closed { throw SplitError(description: "a single quote is not closed") }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { break }
                        if !"\"\\$`".contains(escaped) { current.append("\\") }
                        current.append(escaped)
                        continue
                    }
                    current.append(next)
                }
                if !closed { throw SplitError(description: "a double quote is not closed") }
            case "\\":
                guard let escaped = iterator.next() else { throw SplitError(description: "the text ends with a backslash") }
                inWord = true
                current.append(escaped)
            default:
                inWord = true
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
