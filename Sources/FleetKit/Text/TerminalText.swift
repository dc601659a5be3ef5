import Foundation

/// The one sanitiser for text from outside (inventory values and header names, files,
/// remote output, RPC answers) on its way to a terminal or a log.
///
/// Control characters (C0, DEL, C1), and so every escape sequence (CSI, OSC), and the
/// invisible format characters (bidi overrides and isolates U+202A–U+202E, U+2066–U+2069,
/// marks U+200E/U+200F, zero-width characters, BOM) and line/paragraph separators are shown
/// as `\u{…}` in hex, so a value cannot retitle the terminal, forge a log line or reorder
/// what a reader sees.
public enum TerminalText {
    /// How many characters ``quoted(_:)`` keeps of a value.
    public static let quotedLimit = 200

    /// `text` for an error message that quotes a value: its first ``quotedLimit`` characters,
    /// on one line, every control and format character escaped (newlines and tabs too).
    public static func quoted(_ text: String) -> String {
        escaped(String(text.prefix(quotedLimit)))
    }

    /// `text` on one line with every control and format character escaped (newlines and tabs too).
    public static func escaped(_ text: String) -> String {
        escaped(text, keepingLines: false, keepingColor: false)
    }

    /// `text` with control and format characters escaped. With `keepingLines`, newlines and
    /// tabs stay as they are (remote output, multi-line log messages); with `keepingColor`,
    /// colour sequences (SGR: `ESC [` digits and `;` `m`) stay too, and every other escape
    /// sequence is still escaped.
    public static func escaped(_ text: String, keepingLines: Bool, keepingColor: Bool = false) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if keepingColor, scalar == "\u{1B}", let end = sgrEnd(scalars, from: index) {
                result.append(contentsOf: scalars[index...end])
                index = end + 1
                continue
            }
            if keepingLines && (scalar == "\n" || scalar == "\t") {
                result.append(scalar)
            } else if needsEscape(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
            index += 1
        }
        return String(result)
    }

    /// Whether `scalar` is shown escaped: a control character (C0, DEL, C1), a format
    /// character (bidi controls, zero-width characters, BOM) or a line/paragraph separator.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// Whether `text` holds nothing ``escaped(_:)`` would change.
    public static func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains(where: needsEscape)
    }

    /// The index of the `m` that ends an SGR sequence starting at `start`, if it is one.
    private static func sgrEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        guard start + 1 < scalars.count, scalars[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < scalars.count, index - start <= 64 {
            let scalar = scalars[index]
            if scalar == "m" { return index }
            guard scalar == ";" || ("0"..."9").contains(scalar) else { return nil }
            index += 1
        }
        return nil
    }
}
