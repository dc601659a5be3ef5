/// One `--long` option (or flag) a command accepts.
public struct OptionSpec: Sendable {
    /// The long name without dashes, e.g. "forks".
    public let long: String
    /// The one-letter short name, e.g. `f` for `-f`; `h` is reserved for help.
    public let short: Character?
    /// The value placeholder shown in help, e.g. "N"; nil makes the option a flag.
    public let value: String?
    /// One line of help.
    public let help: String
    /// The environment variable used when the option is not given, e.g. "TIMEOUT".
    public let environment: String?
    /// The value used when neither the option nor its environment variable is given.
    public let defaultValue: String?
    /// Whether the option may be given several times, collecting every value.
    public let repeatable: Bool

    /// Whether the option is a flag (takes no value).
    public var isFlag: Bool { value == nil }

    /// Describes an option; leading dashes in `long` are ignored. For flags, an environment value of "1", "true" or "yes" turns the flag on.
    public init(
        _ long: String, short: Character? = nil, value: String? = nil, help: String, environment: String? = nil,
        defaultValue: String? = nil, repeatable: Bool = false
    ) {
        self.long = String(long.drop { $0 == "-" })
        self.short = short
        self.value = value
        self.help = help
        self.environment = environment
        self.defaultValue = defaultValue
        self.repeatable = repeatable
    }
}

/// One positional argument a command accepts.
public struct ArgumentSpec: Sendable {
    /// The name used in help (`<name>`) and with `ParsedCommand.argument(_:)`.
    public let name: String
    /// One line of help.
    public let help: String
    /// Whether the argument may be left out.
    public let optional: Bool
    /// Whether the argument collects every remaining positional; only the last argument should be variadic.
    public let variadic: Bool

    /// Describes a positional argument.
    public init(_ name: String, help: String, optional: Bool = false, variadic: Bool = false) {
        self.name = name
        self.help = help
        self.optional = optional
        self.variadic = variadic
    }
}

/// A command: its arguments, options and subcommands, and the text its help shows.
public struct CommandSpec: Sendable {
    /// The command's name as typed, e.g. "fleet" or "run".
    public let name: String
    /// One line saying what the command does.
    public let summary: String
    /// Longer help text shown after the summary.
    public let discussion: String?
    /// Positional arguments in order.
    public let arguments: [ArgumentSpec]
    /// Options; subcommands also accept their parents' options.
    public let options: [OptionSpec]
    /// Nested commands.
    public let subcommands: [CommandSpec]
    /// Whether everything after `--` is collected as passthrough instead of positionals.
    public let acceptsPassthrough: Bool

    /// The subcommand a word that names none starts, with that word as its first argument
    /// (`gonka-deploy nodes/x.conf` is `gonka-deploy deploy nodes/x.conf`); `nil`: none.
    public let defaultSubcommand: String?

    /// Creates a command.
    public init(
        name: String, summary: String, discussion: String? = nil, arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [], subcommands: [CommandSpec] = [], acceptsPassthrough: Bool = false,
        defaultSubcommand: String? = nil
    ) {
        self.defaultSubcommand = defaultSubcommand
        self.name = name
        self.summary = summary
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.acceptsPassthrough = acceptsPassthrough
    }
}
