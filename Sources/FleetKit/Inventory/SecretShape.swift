import Foundation

/// Values that are secrets by their shape, whatever their column is called.
///
/// Before matching, the invisible characters a copy and paste leaves in a value are
/// taken out (``withoutHiddenCharacters(_:)``): a BOM, zero-width spaces and joiners,
/// direction marks, NUL and other control characters, tabs, no-break spaces. Then a value
/// holds a secret when, anywhere in it (a sentence, a JSON blob, `key=<hex>`, two keys
/// joined by `;`):
/// - a run of 62 or more hex digits stands, with or without `0x` (a private key, one or two
///   digits lost or added in the copy, or two keys run together), or
/// - 12, 15, 18, 21 or 24 (or more) words of 3 to 8 letters follow each other, in lowercase,
///   capitalised or upper case, separated by spaces, commas or other punctuation (a BIP-39
///   mnemonic).
public enum SecretShape {
    /// The fewest hex digits in a run that count as a private key (64, less two lost in a copy).
    public static let privateKeyMinimumDigits = 62
    /// The word counts of a BIP-39 mnemonic.
    public static let mnemonicWordCounts = [12, 15, 18, 21, 24]

    /// Whether `value` holds a private key or a mnemonic anywhere.
    public static func matches(_ value: String) -> Bool {
        !secretParts(value).isEmpty
    }

    /// Whether `value` holds a private key anywhere (``privateKeyMinimumDigits`` or more hex digits, with or without `0x`).
    public static func isPrivateKey(_ value: String) -> Bool {
        !hexRuns(withoutHiddenCharacters(value)).isEmpty
    }

    /// Whether `value` holds a BIP-39-looking run of words anywhere.
    public static func isMnemonic(_ value: String) -> Bool {
        !wordRuns(withoutHiddenCharacters(value, keepingSeparators: true)).isEmpty
    }

    /// The secret-looking parts of `value` as they stand in it once hidden characters are
    /// removed: each hex run (with its `0x`, and without), each mnemonic-looking run of words.
    /// A redactor that knows them masks them wherever they show up alone.
    public static func secretParts(_ value: String) -> [String] {
        let compact = withoutHiddenCharacters(value)
        var parts: [String] = []
        for run in hexRuns(compact) {
            parts.append(run)
            if run.hasPrefix("0x") || run.hasPrefix("0X") { parts.append(String(run.dropFirst(2))) }
        }
        parts += wordRuns(withoutHiddenCharacters(value, keepingSeparators: true))
        return parts
    }

    /// `value` without the characters people cannot see: format characters (BOM,
    /// zero-width spaces and joiners, direction marks and overrides), control characters
    /// (NUL, tab, line breaks) and no-break spaces. With `keepingSeparators`, controls and
    /// no-break spaces become plain spaces instead, so words they separated stay apart.
    public static func withoutHiddenCharacters(_ value: String, keepingSeparators: Bool = false) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .format { continue }
            let isHiddenSpace = category == .control || category == .lineSeparator || category == .paragraphSeparator
                || (category == .spaceSeparator && scalar != " ")
            if isHiddenSpace {
                if keepingSeparators { scalars.append(" ") }
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Maximal runs of ``privateKeyMinimumDigits`` or more hex digits in `text`, each with a `0x` in front when it had one.
    static func hexRuns(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var runs: [String] = []
        var index = 0
        while index < scalars.count {
            guard isHexDigit(scalars[index]) else { index += 1; continue }
            let start = index
            while index < scalars.count, isHexDigit(scalars[index]) { index += 1 }
            var run = String(String.UnicodeScalarView(scalars[start..<index]))
            // "0x" + digits reads as one run of hex digits only up to the x.
            if run.unicodeScalars.count >= privateKeyMinimumDigits {
                let prefixed = start >= 2 && scalars[start - 2] == "0" && (scalars[start - 1] == "x" || scalars[start - 1] == "X")
                    && (start < 3 || !isHexDigit(scalars[start - 3]))
                if prefixed { run = "0" + String(scalars[start - 1]) + run }
                runs.append(run)
            }
        }
        return runs
    }

    /// Maximal runs of mnemonic-looking words in `text`: at least the smallest of
    /// ``mnemonicWordCounts`` words of 3–8 ASCII letters, one case each (lower, capitalised
    /// or upper), each pair separated by one to three characters that are neither letters
    /// nor digits. Each run is returned as it stands in `text`.
    static func wordRuns(_ text: String) -> [String] {
        let characters = Array(text)
        var runs: [String] = []
        var words: [Range<Int>] = []
        func closeRun() {
            if let first = words.first, let last = words.last, words.count >= (mnemonicWordCounts.first ?? 12) {
                runs.append(String(characters[first.lowerBound..<last.upperBound]))
            }
            words.removeAll()
        }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isLetter || character.isNumber {
                let start = index
                while index < characters.count, characters[index].isLetter || characters[index].isNumber { index += 1 }
                let range = start..<index
                if isMnemonicWord(characters[range]) {
                    if let previous = words.last, range.lowerBound - previous.upperBound > 3 { closeRun() }
                    words.append(range)
                } else {
                    closeRun()
                }
            } else {
                index += 1
            }
        }
        closeRun()
        return runs
    }

    private static func isMnemonicWord(_ word: ArraySlice<Character>) -> Bool {
        guard (3...8).contains(word.count), word.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        let rest = word.dropFirst()
        return rest.allSatisfy(\.isLowercase) || word.allSatisfy(\.isUppercase)
    }

    private static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "a"..."f", "A"..."F": true
        default: false
        }
    }
}
