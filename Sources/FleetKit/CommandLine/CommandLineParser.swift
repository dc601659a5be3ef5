/// Parses command lines against a `CommandSpec` tree.
///
/// Accepted forms: subcommands at any depth, `--long value`, `--long=value`, `-s value`,
/// `-svalue`, bundled short flags (`-vq`), and `--`, after which everything is passthrough
/// (or positional, when the command takes no passthrough). A subcommand accepts its
/// parents' options too. `--help` or `-h` anywhere before `--` asks for help on the deepest
/// subcommand named; `--version` is accepted before any subcommand. An option given twice
/// keeps the last value unless it is repeatable.
public enum CommandLineParser {
    /// Parses `arguments` (without argv[0]); `environment` supplies option fallbacks and is never read from the process.
    public static func parse(
        _ arguments: [String], spec: CommandSpec, version: String, environment: [String: String]
    ) throws(UsageError) -> CommandLineOutcome {
        let beforeSeparator = arguments.prefix { $0 != "--" }
        let wantsHelp = beforeSeparator.contains { $0 == "--help" || $0 == "-h" }
        var state = CommandLineParseState(root: spec, lenient: wantsHelp)
        let outcome = try state.consume(arguments)
        if wantsHelp || state.helpSeen {
            return .help(HelpFormatter.help(for: state.command, path: state.path, inherited: state.inheritedOptions))
        }
        if outcome == .version { return .version(version) }
        return .run(try state.finish(environment: environment))
    }
}

/// Where parsing has got to.
struct CommandLineParseState {
    enum Outcome { case parsed, version }

    var command: CommandSpec
    var path: [String]
    /// Options of the parent commands, nearest first.
    var inheritedOptions: [OptionSpec] = []
    var positionals: [String] = []
    var passthrough: [String] = []
    var given: [String: [String]] = [:]
    /// Whether `-h` appeared inside a bundle of short flags.
    var helpSeen = false
    /// In help mode mistakes are ignored, since only the command path matters.
    let lenient: Bool

    init(root: CommandSpec, lenient: Bool) {
        command = root
        path = [root.name]
        self.lenient = lenient
    }

    /// Every option the current command accepts: its own first, then its parents'.
    var visibleOptions: [OptionSpec] { command.options + inheritedOptions }

    func option(long: String) -> OptionSpec? {
        visibleOptions.first { $0.long == long }
    }

    func option(short: Character) -> OptionSpec? {
        visibleOptions.first { $0.short == short }
    }

    func error(_ message: String) -> UsageError {
        UsageError(message: message, commandPath: path)
    }

    /// Reports a mistake, unless in help mode.
    func fail(_ message: String) throws(UsageError) {
        if !lenient { throw error(message) }
    }

    mutating func consume(_ arguments: [String]) throws(UsageError) -> Outcome {
        var index = 0
        while index < arguments.count {
            let token = arguments[index]
            index += 1
            if token == "--" {
                let rest = Array(arguments[index...])
                if command.acceptsPassthrough { passthrough = rest } else { positionals += rest }
                return .parsed
            }
            if token == "--help" || token == "-h" { continue }
            if token == "--version" && path.count == 1 && option(long: "version") == nil {
                if !lenient { return .version }
                continue
            }
            if token.hasPrefix("--") {
                try longOption(token, arguments, &index)
            } else if token.hasPrefix("-") && token.count > 1 && !isNegativeNumber(token) {
                try shortOptions(token, arguments, &index)
            } else {
                try word(token)
            }
        }
        return .parsed
    }

    func isNegativeNumber(_ token: String) -> Bool {
        guard Double(token) != nil else { return false }
        return !visibleOptions.contains { $0.short.map { $0.isNumber } ?? false }
    }

    /// A positional or a subcommand name.
    mutating func word(_ token: String) throws(UsageError) {
        if !command.subcommands.isEmpty && positionals.isEmpty {
            let implied = command.defaultSubcommand.flatMap { name in command.subcommands.first { $0.name == name } }
            if let sub = command.subcommands.first(where: { $0.name == token }) ?? implied {
                inheritedOptions = command.options + inheritedOptions
                command = sub
                path.append(sub.name)
                if sub.name != token { positionals.append(token) }
                return
            }
            if command.arguments.isEmpty {
                let names = command.subcommands.map(\.name)
                var message = "unknown subcommand '\(token)'"
                if let guess = CommandLineSuggestion.closest(to: token, among: names) {
                    message += " (did you mean '\(guess)'?)"
                } else {
                    message += "; expected one of: \(names.joined(separator: ", "))"
                }
                try fail(message)
                return
            }
        }
        positionals.append(token)
    }

    mutating func longOption(_ token: String, _ arguments: [String], _ index: inout Int) throws(UsageError) {
        let body = token.dropFirst(2)
        let name: String
        var inlineValue: String?
        if let equals = body.firstIndex(of: "=") {
            name = String(body[..<equals])
            inlineValue = String(body[body.index(after: equals)...])
        } else {
            name = String(body)
        }
        guard let spec = option(long: name) else {
            var candidates = visibleOptions.map { "--" + $0.long } + ["--help"]
            if path.count == 1 { candidates.append("--version") }
            var message = "unknown option '--\(name)'"
            if let guess = CommandLineSuggestion.closest(to: "--" + name, among: candidates) {
                message += " (did you mean '\(guess)'?)"
            }
            try fail(message)
            return
        }
        if spec.isFlag {
            if inlineValue != nil {
                try fail("--\(spec.long) is a flag and takes no value, got '\(token)'")
                return
            }
            record(spec, "")
            return
        }
        if let inlineValue {
            record(spec, inlineValue)
            return
        }
        guard index < arguments.count, !Self.looksLikeLongOption(arguments[index]) else {
            try fail("--\(spec.long) expects a value \(spec.value ?? "VALUE")")
            return
        }
        record(spec, arguments[index])
        index += 1
    }

    mutating func shortOptions(_ token: String, _ arguments: [String], _ index: inout Int) throws(UsageError) {
        var letters = Substring(token.dropFirst())
        while let letter = letters.first {
            letters = letters.dropFirst()
            if letter == "h" {
                helpSeen = true
                continue
            }
            guard let spec = option(short: letter) else {
                try fail(letters.isEmpty && token.count == 2
                    ? "unknown option '-\(letter)'"
                    : "unknown option '-\(letter)' in '\(token)'")
                continue
            }
            if spec.isFlag {
                record(spec, "")
                continue
            }
            if !letters.isEmpty {
                record(spec, String(letters))
                return
            }
            guard index < arguments.count, !Self.looksLikeLongOption(arguments[index]) else {
                try fail("-\(letter) (--\(spec.long)) expects a value \(spec.value ?? "VALUE")")
                return
            }
            record(spec, arguments[index])
            index += 1
            return
        }
    }

    static func looksLikeLongOption(_ token: String) -> Bool {
        token.hasPrefix("--")
    }

    mutating func record(_ spec: OptionSpec, _ value: String) {
        if spec.repeatable {
            given[spec.long, default: []].append(value)
        } else {
            given[spec.long] = [value]
        }
    }

    /// Checks the positionals and builds the result.
    func finish(environment: [String: String]) throws(UsageError) -> ParsedCommand {
        if !command.subcommands.isEmpty && command.arguments.isEmpty && positionals.isEmpty {
            let names = command.subcommands.map(\.name).joined(separator: ", ")
            throw error("missing subcommand; expected one of: \(names)")
        }
        var named: [String: [String]] = [:]
        var remaining = positionals[...]
        let specs = command.arguments
        let required = specs.filter { !$0.optional }.count
        var requiredLeft = required
        for spec in specs {
            if spec.variadic {
                if remaining.isEmpty && !spec.optional {
                    throw error("missing argument <\(spec.name)>")
                }
                named[spec.name] = Array(remaining)
                remaining = []
                continue
            }
            if !spec.optional { requiredLeft -= 1 }
            if let next = remaining.first, spec.optional ? remaining.count > requiredLeft : true {
                named[spec.name] = [next]
                remaining = remaining.dropFirst()
            } else if !spec.optional {
                throw error("missing argument <\(spec.name)>")
            }
        }
        if let extra = remaining.first {
            throw error("unexpected argument '\(extra)'")
        }
        var optionsByName: [String: OptionSpec] = [:]
        for spec in visibleOptions.reversed() { optionsByName[spec.long] = spec }
        var environmentValues: [String: String] = [:]
        for spec in optionsByName.values {
            if let variable = spec.environment, let text = environment[variable], !text.isEmpty {
                environmentValues[spec.long] = text
            }
        }
        return ParsedCommand(
            path: path, arguments: positionals, passthrough: passthrough, options: optionsByName,
            given: given, environmentValues: environmentValues, namedArguments: named)
    }
}

/// Finds the likely intended word for a mistyped one.
enum CommandLineSuggestion {
    /// The candidate nearest to `word` by edit distance, if it is close enough to be a typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word, candidate)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
