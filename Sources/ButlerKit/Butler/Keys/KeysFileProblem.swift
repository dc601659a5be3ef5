import FleetKit

/// One thing wrong with a keys file: the file, where in its JSON, and what was expected.
public struct KeysFileProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file's name (or path, when it was read from one).
    public let file: String
    /// Where in the JSON, e.g. `validators[3].attester.eth`; empty for the file as a whole.
    public let jsonPath: String
    /// What is wrong and what was expected, e.g. "expected 0x + 40 hex digits".
    public let message: String

    /// Creates a problem report.
    public init(file: String, jsonPath: String, message: String) {
        self.file = file
        self.jsonPath = jsonPath
        self.message = message
    }

    /// One line, e.g. `mainnet-keys-eu-west-1-v3.json: validators[3].attester.eth: expected 0x + 40 hex digits`;
    /// control and format characters of the file name or the JSON are shown as `\u{…}` (``TerminalText``).
    public var description: String {
        TerminalText.escaped(jsonPath.isEmpty ? "\(file): \(message)" : "\(file): \(jsonPath): \(message)")
    }
}

/// A keys file that cannot be used, with every problem found in it (not only the first).
public struct KeysFileError: Error, Sendable, Equatable, CustomStringConvertible, InputError {
    /// The file's name or path.
    public let file: String
    /// Every problem, in the order of the file.
    public let problems: [KeysFileProblem]

    /// Creates an error for `file`.
    public init(file: String, problems: [KeysFileProblem]) {
        self.file = file
        self.problems = problems
    }

    /// Creates an error with a single problem about the file as a whole.
    init(file: String, message: String) {
        self.init(file: file, problems: [KeysFileProblem(file: file, jsonPath: "", message: message)])
    }

    /// One problem per line; past ``CappedList/defaultLimit`` lines, one "… and N more" line.
    public var description: String {
        CappedList.joined(problems.map(\.description))
    }
}
