import FleetKit

/// One thing wrong with a node file, with where it is: a line of the file, a variable taken
/// from the environment, a required setting that is missing, or the file as a whole.
///
/// Messages never contain the keyring password or any other secret value.
public struct NodeConfigProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public enum Location: Sendable, Equatable {
        /// A line of the file (1-based).
        case line(Int)
        /// The value came from the process environment, not from the file.
        case environment
        /// A required setting is set nowhere.
        case missing
        /// The file as a whole (it cannot be read, for instance).
        case file
    }

    /// The node file's path as the user gave it.
    public let file: String
    /// Where in (or around) the file the problem is.
    public let location: Location
    /// The setting concerned, e.g. "SERVER_IP"; nil for a line that is not an assignment.
    public let setting: String?
    /// What is wrong and what was expected, as a sentence.
    public let message: String

    /// Creates a problem.
    public init(file: String, location: Location, setting: String?, message: String) {
        self.file = file
        self.location = location
        self.setting = setting
        self.message = message
    }

    /// "nodes/node1.conf:4: …", "nodes/node1.conf: missing: …",
    /// "nodes/node1.conf: SERVER_IP (from the environment): …" or "nodes/node1.conf: …".
    public var description: String {
        switch location {
        case .line(let line): "\(file):\(line): \(message)"
        case .missing: "\(file): missing: \(message)"
        case .environment: "\(file): \(setting ?? "a variable") (from the environment): \(message)"
        case .file: "\(file): \(message)"
        }
    }
}

/// A node file that cannot be used, with every problem found (not only the first).
public struct NodeConfigError: Error, Sendable, Equatable, InputError {
    /// The node file's path as the user gave it.
    public let file: String
    /// Every problem, in the order of the file's lines, then missing settings.
    public let problems: [NodeConfigProblem]
    /// Things that are not errors but may explain one, such as a likely typo in a name.
    public let notes: [NodeConfigProblem]

    /// Creates the error for `file`.
    public init(file: String, problems: [NodeConfigProblem], notes: [NodeConfigProblem] = []) {
        self.file = file
        self.problems = problems
        self.notes = notes
    }

    /// One problem as one line, or a count followed by one indented line each; then one "note:" line per note.
    public var description: String {
        var text: String
        if problems.count == 1, let only = problems.first {
            text = only.description
        } else {
            text = "\(problems.count) problems in \(file):\n" + CappedList.joined(problems.map(\.description), prefix: "  ")
        }
        for note in notes { text += "\n  note: \(note.description)" }
        return text
    }
}
