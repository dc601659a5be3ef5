/// A problem with an inventory file or a host pattern, with where it is and what was expected.
public struct InventoryError: Error, Sendable, CustomStringConvertible {
    /// The inventory file, or the pattern being read.
    public let file: String
    /// The 1-based line, when the problem has one.
    public let line: Int?
    /// The 1-based column, when the problem has one.
    public let column: Int?
    /// What is wrong and what was expected; never contains a secret value.
    public let message: String

    /// Creates an error at `file`, optionally at a line and column.
    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// The error as one line, e.g. "servers.csv:4:1: port 70000 is out of range; expected 1–65535".
    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return "\(place): \(message)"
    }
}
