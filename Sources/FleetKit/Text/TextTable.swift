/// Plain-text tables for consoles: columns padded to their widest cell, two spaces apart,
/// the last column not padded and trailing spaces removed.
public enum TextTable {
    /// The header line and one line per row, each ending in a newline. Rows shorter than
    /// the header leave their last cells empty.
    public static func render(headers: [String], rows: [[String]]) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count - 1 { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = (0..<headers.count).map { index -> String in
                let cell = index < cells.count ? cells[index] : ""
                return index == headers.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            var text = padded.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return ([line(headers)] + rows.map(line)).map { $0 + "\n" }.joined()
    }
}
