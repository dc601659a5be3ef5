import FleetKit

/// The operator's side of a run: where console lines, the parameter block, the summary and
/// questions are shown, and where typed answers come from. The library never touches the
/// terminal itself; a tool passes its standard output, standard error and `readLine`.
public struct OperatorConsole: Sendable {
    /// Shows text as it is (standard output for a tool).
    public var writeOutput: @Sendable (String) -> Void
    /// Shows error lines as they are (standard error for a tool).
    public var writeError: @Sendable (String) -> Void
    /// Whether console lines get colour.
    public var colored: Bool
    /// Reads one typed line without its line ending, `nil` at the end of input; `nil`
    /// itself when there is no terminal to ask on, so nothing is asked.
    public var readAnswer: (@Sendable () -> String?)?

    /// Creates the console.
    public init(writeOutput: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
                readAnswer: (@Sendable () -> String?)?, colored: Bool = false) {
        self.writeOutput = writeOutput
        self.writeError = writeError
        self.colored = colored
        self.readAnswer = readAnswer
    }

    /// A console that shows nothing and cannot ask: for runs confirmed in advance.
    public static let silent = OperatorConsole(writeOutput: { _ in }, writeError: { _ in }, readAnswer: nil)

    /// Whether questions can be asked.
    public var canAsk: Bool { readAnswer != nil }

    /// Shows `question` and reads the answer; only ``DeployConfirmation/acceptedAnswer`` proceeds.
    func confirms(_ question: String) -> Bool {
        writeOutput(question)
        guard let answer = readAnswer?() else { return false }
        return DeployConfirmation.accepts(answer)
    }

    /// Console lines as the original prints them: `[LEVEL] message` (or another `format`,
    /// such as the host column of a run over several nodes), ERROR on standard error, the rest on standard output.
    func sinks(verbose: Bool, format: LogLineFormat = .level) -> [any LogSink] {
        let levels = ConsoleLogSink.defaultLevels(verbose: verbose)
        let output = writeOutput, error = writeError
        return [ConsoleLogSink(levels: levels.subtracting([.error]), colored: colored, format: format) { output($0 + "\n") },
                ConsoleLogSink(levels: [.error], colored: colored, format: format) { error($0 + "\n") }]
    }
}
