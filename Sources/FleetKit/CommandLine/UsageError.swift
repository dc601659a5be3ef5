/// A mistake on the command line, worded for the person who typed it.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong and what was expected.
    public let message: String
    /// The command the mistake was made in, e.g. ["fleet", "run"].
    public let commandPath: [String]

    /// Creates an error for the command at `commandPath`.
    public init(message: String, commandPath: [String]) {
        self.message = message
        self.commandPath = commandPath
    }

    /// One line, e.g. "fleet run: unknown option '--frks' (did you mean '--forks'?); see 'fleet run --help'".
    public var description: String {
        let command = commandPath.joined(separator: " ")
        guard !command.isEmpty else { return message }
        return "\(command): \(message); see '\(command) --help'"
    }
}
