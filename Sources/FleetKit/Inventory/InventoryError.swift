/// A problem with an inventory file or a host pattern, with where it is and what was expected.
///
/// A file with several bad rows gives one error carrying the first problem and the rest
/// in ``others``; ``description`` lists them one per line, the first 50 then a count of the rest.
public struct InventoryError: Error, Sendable, CustomStringConvertible {
    /// The inventory file, or the pattern being read.
    public let file: String
    /// The 1-based line, when the problem has one.
    public let line: Int?
    /// The 1-based column, when the problem has one.
    public let column: Int?
    /// What is wrong and what was expected; never contains a secret value.
    public let message: String
    /// Further problems found in the same file, in file order.
    public var others: [InventoryError] = []

    /// Creates an error at `file`, optionally at a line and column.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// The first of `problems` carrying the rest in ``others``.
    static func combining(_ problems: [InventoryError]) -> InventoryError {
        guard var first = problems.first else {
            return InventoryError(file: "inventory", message: "unknown problem")
        }
        first.others = Array(problems.dropFirst())
        return first
    }

    /// Every problem: this one, then ``others``.
    public var all: [InventoryError] { [withoutOthers] + others.map(\.withoutOthers) }

    private var withoutOthers: InventoryError {
        InventoryError(file: file, line: line, column: column, message: message)
    }

    /// This problem alone, e.g. "servers.csv:4:1: port 70000 is out of range; expected 1–65535",
    /// on one line: control and format characters of the file name or a quoted value are
    /// shown as `\u{…}` (``TerminalText``).
    public var location: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return TerminalText.escaped("\(place): \(message)")
    }

    /// Every problem, one per line; past ``CappedList/defaultLimit`` lines, one "… and N more" line.
    public var description: String {
        CappedList.joined(all.map(\.location))
    }
}
