/// Builds RFC 4180 CSV text that `CSVReader` reads back field for field.
///
/// A field is quoted when it holds a comma, a quote, CR or LF, starts or ends with a space
/// or tab, starts with a byte order mark, or starts a line with `#`; a row with one empty
/// field is written as `""` so it does not read as a blank line. Lines end with "\n".
public struct CSVWriter: Sendable {
    /// The text written so far.
    private var output: String

    /// Starts a text whose first row is `header`.
    public init(header: [String]) {
        output = ""
        append(header)
    }

    /// Appends one row.
    public mutating func append(_ row: [String]) {
        if row.count == 1, let only = row.first, only.isEmpty {
            output += "\"\"\n"
            return
        }
        for (position, field) in row.enumerated() {
            if position > 0 { output += "," }
            output += Self.encode(field, startsLine: position == 0)
        }
        output += "\n"
    }

    /// The CSV text: the header and every appended row.
    public var text: String { output }

    /// Returns `field` quoted when the reader would otherwise misread it.
    static func encode(_ field: String, startsLine: Bool) -> String {
        guard needsQuotes(field, startsLine: startsLine) else { return field }
        var quoted = "\""
        for scalar in field.unicodeScalars {
            if scalar == "\"" { quoted += "\"" }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    private static func needsQuotes(_ field: String, startsLine: Bool) -> Bool {
        let scalars = field.unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return false }
        if first == " " || first == "\t" || last == " " || last == "\t" || first == "\u{FEFF}" { return true }
        if startsLine && first == "#" { return true }
        return scalars.contains { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }
    }
}
