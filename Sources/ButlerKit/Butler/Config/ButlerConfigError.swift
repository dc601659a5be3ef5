import FleetKit

/// Configuration that cannot work, with every problem found: each names the variable, where
/// its value came from and what was expected.
public struct ButlerConfigError: ButlerChoiceProblem, Sendable, Equatable, InputError {
    /// One line per problem, e.g. "METRICS_PORT (file /home/op/.config/aztec-butler/mainnet-base.env:4): expected a port from 1 to 65535, got '70000'".
    public let problems: [String]
    /// The choice the problem is about (the network), when one.
    public let choice: ButlerChoice?

    /// Creates an error from its problem lines.
    public init(problems: [String]) {
        self.problems = problems
        choice = nil
    }

    /// Creates an error with one problem about `choice`.
    public init(situation: String, choice: ButlerChoice) {
        problems = [situation]
        self.choice = choice
    }

    /// Creates an error with one problem.
    public init(message: String) {
        self.init(problems: [message])
    }

    /// The problems, one per line.
    public var situation: String {
        problems.count == 1 ? problems[0] : "the configuration has \(problems.count) problems:\n" + CappedList.joined(problems, prefix: "  ")
    }
}
