import Foundation

/// The result of parsing a command line: the command chosen and what was given to it.
public struct ParsedCommand: Sendable {
    /// The command names from the top, e.g. ["fleet", "run"].
    public let path: [String]
    /// Positional arguments in order.
    public let arguments: [String]
    /// Everything after `--`, when the command accepts passthrough.
    public let passthrough: [String]

    /// The options of the chosen command and its parents, by long name.
    let options: [String: OptionSpec]
    /// Values given on the command line, by long name, in order.
    let given: [String: [String]]
    /// Environment values for options that name a variable, by long name.
    let environmentValues: [String: String]
    /// Positional values by argument name.
    let namedArguments: [String: [String]]

    init(
        path: [String], arguments: [String], passthrough: [String], options: [String: OptionSpec],
        given: [String: [String]], environmentValues: [String: String], namedArguments: [String: [String]]
    ) {
        self.path = path
        self.arguments = arguments
        self.passthrough = passthrough
        self.options = options
        self.given = given
        self.environmentValues = environmentValues
        self.namedArguments = namedArguments
    }

    /// Whether the flag was given, or its environment variable is "1", "true" or "yes".
    public func flag(_ long: String) -> Bool {
        let key = Self.key(long)
        if let values = given[key], !values.isEmpty { return true }
        guard let text = environmentValues[key] else { return false }
        return ["1", "true", "yes"].contains(text.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The value given last, else the environment variable's value, else the default.
    public func value(_ long: String) -> String? {
        source(Self.key(long))?.value
    }

    /// Every value given for a repeatable option; if none, the environment or default value alone.
    public func values(_ long: String) -> [String] {
        let key = Self.key(long)
        if let values = given[key], !values.isEmpty { return values }
        return value(key).map { [$0] } ?? []
    }

    /// The option's value as a whole number, checked against `range`; nil when not given.
    public func int(_ long: String, range: ClosedRange<Int>? = nil) throws(UsageError) -> Int? {
        let key = Self.key(long)
        guard let (text, origin) = source(key) else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Int(trimmed), range?.contains(number) ?? true { return number }
        let expectation = range.map { "a whole number from \($0.lowerBound) to \($0.upperBound)" } ?? "a whole number"
        throw UsageError(message: "--\(key) expects \(expectation), got '\(text)'\(origin)", commandPath: path)
    }

    /// The option's value as a number; nil when not given.
    public func double(_ long: String) throws(UsageError) -> Double? {
        let key = Self.key(long)
        guard let (text, origin) = source(key) else { return nil }
        if let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite { return number }
        throw UsageError(message: "--\(key) expects a number, got '\(text)'\(origin)", commandPath: path)
    }

    /// Refuses `first` and `second` given together; `why` follows the message when given.
    public func exclusive(_ first: String, _ second: String, why: String? = nil) throws(UsageError) {
        guard flag(first) || value(first) != nil, flag(second) || value(second) != nil else { return }
        throw UsageError(message: "--\(Self.key(first)) and --\(Self.key(second)) exclude each other" + (why.map { ": \($0)" } ?? ""), commandPath: path)
    }

    /// The option's value as one of `Choice`'s cases, by raw value; nil when not given.
    public func choice<Choice: RawRepresentable & CaseIterable>(_ long: String, of _: Choice.Type = Choice.self) throws(UsageError) -> Choice?
    where Choice.RawValue == String {
        let key = Self.key(long)
        guard let (text, origin) = source(key) else { return nil }
        if let choice = Choice(rawValue: text) { return choice }
        let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        throw UsageError(message: "--\(key) expects one of \(names), got '\(text)'\(origin)", commandPath: path)
    }

    /// The positional value for the argument named `name`; for a variadic argument, its first value.
    public func argument(_ name: String) -> String? {
        namedArguments[name]?.first
    }

    /// Every positional value collected by the argument named `name`.
    public func argumentValues(_ name: String) -> [String] {
        namedArguments[name] ?? []
    }

    /// The effective value and, when it did not come from the command line, a note saying where it came from.
    private func source(_ key: String) -> (value: String, origin: String)? {
        if let last = given[key]?.last { return (last, "") }
        if let text = environmentValues[key], let variable = options[key]?.environment {
            return (text, " from \(variable)")
        }
        if let fallback = options[key]?.defaultValue { return (fallback, " (the default)") }
        return nil
    }

    private static func key(_ long: String) -> String {
        String(long.drop { $0 == "-" })
    }
}

/// What the executable should do after parsing.
public enum CommandLineOutcome: Sendable {
    /// Run the command.
    case run(ParsedCommand)
    /// Print this help text and exit successfully.
    case help(String)
    /// Print this version text and exit successfully.
    case version(String)
}
