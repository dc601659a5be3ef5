/// Builds RFC 4180 CSV text that `CSVReader` reads back field for field.
///
/// A field is quoted when it holds a comma, a quote, CR or LF, starts or ends with a space
/// or tab, starts with a byte order mark, or starts a line with `#`; a row with one empty
/// field is written as `""` so it does not read as a blank line. Lines end with "\n".
///
/// Spreadsheet formula injection: in the columns named by `neutralizingFormulasIn` (free
/// text such as host names, remote output, error messages), a cell that starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return is written the way OWASP recommends: a single
/// quote `'` before it, and the whole cell quoted, so a spreadsheet shows it as text instead
/// of running it. Columns that are always numbers or addresses are left out of that set, so
/// `-5` there stays a number every reader parses.
public struct CSVWriter: Sendable {
    /// The text written so far.
    private var output: String
    /// The positions of the columns whose formula-like cells are neutralised.
    private let formulaSafePositions: Set<Int>

    /// The characters that make a spreadsheet read a cell as a formula (OWASP).
    public static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Starts a text whose first row is `header`; cells of the columns named in
    /// `neutralizingFormulasIn` that could be read as formulas are neutralised.
    public init(header: [String], neutralizingFormulasIn textColumns: Set<String> = []) {
        output = ""
        formulaSafePositions = Set(header.indices.filter { textColumns.contains(header[$0]) })
        append(header, isHeader: true)
    }

    /// `field` as a spreadsheet shows it as text: `'` before it when it starts with one of
    /// ``formulaTriggers``, else unchanged.
    public static func neutralizingFormula(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, formulaTriggers.contains(first) else { return field }
        return "'" + field
    }

    /// Appends one row.
    public mutating func append(_ row: [String]) {
        append(row, isHeader: false)
    }

    private mutating func append(_ row: [String], isHeader: Bool) {
        if row.count == 1, let only = row.first, only.isEmpty {
            output += "\"\"\n"
            return
        }
        for (position, field) in row.enumerated() {
            if position > 0 { output += "," }
            if !isHeader && formulaSafePositions.contains(position) {
                let safe = Self.neutralizingFormula(field)
                output += safe == field ? Self.encode(field, startsLine: position == 0) : Self.quote(safe)
            } else {
                output += Self.encode(field, startsLine: position == 0)
            }
        }
        output += "\n"
    }

    /// The CSV text: the header and every appended row.
    public var text: String { output }

    /// Returns `field` quoted when the reader would otherwise misread it.
    static func encode(_ field: String, startsLine: Bool) -> String {
        guard needsQuotes(field, startsLine: startsLine) else { return field }
        return quote(field)
    }

    /// `field` between double quotes, inner quotes doubled.
    static func quote(_ field: String) -> String {
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
