/// A malformed CSV text, with the place where reading stopped.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name given to the reader, used only in messages.
    public let file: String
    /// The 1-based line of the problem.
    public let line: Int
    /// The 1-based column (character position) of the problem.
    public let column: Int
    /// What is wrong and what was expected.
    public let message: String

    /// Creates an error at `file`:`line`:`column`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// The error as one line, e.g. "servers.csv:3:14: unterminated quoted field".
    public var description: String {
        "\(file):\(line):\(column): \(message)"
    }
}
