/// Renders `--help` text for a command, wrapped at 80 columns.
public enum HelpFormatter {
    /// The line width help is wrapped to.
    static let width = 80
    /// The widest label kept on the same line as its help.
    static let maximumLabelWidth = 26

    /// Help for the command reached from `root` by following the subcommand names in `path`; unknown names are ignored.
    public static func help(root: CommandSpec, path: [String] = []) -> String {
        var command = root
        var names = [root.name]
        var inherited: [OptionSpec] = []
        for name in path {
            guard let sub = command.subcommands.first(where: { $0.name == name }) else { break }
            inherited = command.options + inherited
            command = sub
            names.append(sub.name)
        }
        return help(for: command, path: names, inherited: inherited)
    }

    /// Help for `command`, reached through `path`, which also accepts its parents' `inherited` options.
    static func help(for command: CommandSpec, path: [String], inherited: [OptionSpec]) -> String {
        let isRoot = path.count == 1
        var sections: [String] = []
        sections.append(wrap(usage(for: command, path: path), indent: 0, hangingIndent: 7))
        if !command.summary.isEmpty { sections.append(wrapParagraphs(command.summary)) }
        if let discussion = command.discussion, !discussion.isEmpty { sections.append(wrapParagraphs(discussion)) }
        let argumentRows = command.arguments.map { argument -> (label: String, help: String) in
            var help = argument.help
            if argument.optional { help += help.isEmpty ? "(optional)" : " (optional)" }
            return (argumentLabel(argument), help)
        }
        var options = command.options
        for option in inherited where !options.contains(where: { $0.long == option.long }) {
            options.append(option)
        }
        var optionRows = options.map { (label: optionLabel($0), help: optionHelp($0)) }
        optionRows.append((label: "-h, --help", help: "Show help information."))
        if isRoot { optionRows.append((label: "    --version", help: "Show the version.")) }
        let subcommandRows = command.subcommands.map { (label: $0.name, help: $0.summary) }
        let widest = (argumentRows + optionRows + subcommandRows).map(\.label.count).max() ?? 0
        let labelWidth = min(widest, maximumLabelWidth)
        if !argumentRows.isEmpty {
            sections.append("ARGUMENTS:\n" + table(argumentRows, labelWidth: labelWidth))
        }
        sections.append("OPTIONS:\n" + table(optionRows, labelWidth: labelWidth))
        if !subcommandRows.isEmpty {
            sections.append("SUBCOMMANDS:\n" + table(subcommandRows, labelWidth: labelWidth))
            let joined = path.joined(separator: " ")
            sections.append(wrapParagraphs("See '\(joined) <subcommand> --help' for detailed help."))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    static func usage(for command: CommandSpec, path: [String]) -> String {
        var parts = ["USAGE:", path.joined(separator: " ")]
        if !command.subcommands.isEmpty && command.arguments.isEmpty {
            parts.append("<subcommand>")
        }
        parts.append("[<options>]")
        for argument in command.arguments {
            let label = argumentLabel(argument)
            parts.append(argument.optional ? "[\(label)]" : label)
        }
        if command.acceptsPassthrough { parts.append("[-- <arguments>...]") }
        return parts.joined(separator: " ")
    }

    static func argumentLabel(_ argument: ArgumentSpec) -> String {
        "<\(argument.name)>" + (argument.variadic ? "..." : "")
    }

    static func optionLabel(_ option: OptionSpec) -> String {
        var label = option.short.map { "-\($0), " } ?? "    "
        label += "--" + option.long
        if let value = option.value { label += " " + value }
        return label
    }

    static func optionHelp(_ option: OptionSpec) -> String {
        var notes: [String] = []
        if let environment = option.environment { notes.append("env: \(environment)") }
        if let value = option.defaultValue { notes.append("default: \(value)") }
        if option.repeatable { notes.append("repeatable") }
        guard !notes.isEmpty else { return option.help }
        let joined = "(" + notes.joined(separator: ", ") + ")"
        return option.help.isEmpty ? joined : option.help + " " + joined
    }

    /// Two columns: labels indented by two spaces, help text aligned after `labelWidth` and wrapped.
    static func table(_ rows: [(label: String, help: String)], labelWidth: Int) -> String {
        let helpColumn = 2 + labelWidth + 2
        var lines: [String] = []
        for row in rows {
            let label = "  " + row.label
            if row.help.isEmpty {
                lines.append(label)
                continue
            }
            let wrapped = wrapWords(row.help, width: max(width - helpColumn, 20))
            let padding = String(repeating: " ", count: helpColumn)
            if row.label.count > labelWidth {
                lines.append(label)
                lines += wrapped.map { padding + $0 }
            } else {
                let gap = String(repeating: " ", count: helpColumn - label.count)
                for (position, text) in wrapped.enumerated() {
                    lines.append(position == 0 ? label + gap + text : padding + text)
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Wraps each line of `text` separately, keeping blank lines and each line's own indentation.
    static func wrapParagraphs(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let indent = line.prefix { $0 == " " }.count
            return wrap(String(line), indent: indent, hangingIndent: indent)
        }.joined(separator: "\n")
    }

    /// Wraps `text` to the help width; continuation lines start with `hangingIndent` spaces.
    static func wrap(_ text: String, indent: Int, hangingIndent: Int) -> String {
        let words = wrapWords(text, width: max(width - hangingIndent, 20), firstWidth: max(width - indent, 20))
        guard let first = words.first else { return "" }
        let leading = String(repeating: " ", count: indent)
        let hanging = String(repeating: " ", count: hangingIndent)
        return ([leading + first] + words.dropFirst().map { hanging + $0 }).joined(separator: "\n")
    }

    /// Breaks `text` into lines of at most `width` characters at spaces; a longer word stays whole.
    static func wrapWords(_ text: String, width: Int, firstWidth: Int? = nil) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let limit = lines.isEmpty ? (firstWidth ?? width) : width
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= limit {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}
