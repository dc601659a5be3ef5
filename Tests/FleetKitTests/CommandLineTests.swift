import FleetTestSupport
import Testing
@testable import FleetKit

let fleetSpec = CommandSpec(
    name: "fleet",
    summary: "Run commands and playbooks on a fleet of servers.",
    options: [
        OptionSpec("inventory", short: "i", value: "FILE", help: "The inventory CSV.", environment: "INVENTORY", defaultValue: "servers.csv"),
        OptionSpec("verbose", short: "v", help: "Log debug lines.", environment: "VERBOSE"),
    ],
    subcommands: [
        CommandSpec(
            name: "run",
            summary: "Run a shell command on every host.",
            discussion: "The command runs through the remote user's shell. Output is collected per host and printed when the host finishes, so lines from different hosts never interleave.",
            arguments: [ArgumentSpec("command", help: "The command to run.")],
            options: [
                OptionSpec("forks", short: "f", value: "N", help: "Hosts to run at once.", environment: "FORKS", defaultValue: "10"),
                OptionSpec("timeout", value: "SECONDS", help: "Per-command timeout", environment: "TIMEOUT", defaultValue: "600"),
                OptionSpec("limit", short: "l", value: "PATTERN", help: "Only hosts matching the pattern.", repeatable: true),
                OptionSpec("quiet", short: "q", help: "Print only the recap."),
                OptionSpec("force", help: "Run even when checks pass.", environment: "FORCE"),
                OptionSpec("ratio", value: "R", help: "A number."),
            ],
            acceptsPassthrough: true),
        CommandSpec(
            name: "keys",
            summary: "Manage keys files.",
            subcommands: [
                CommandSpec(
                    name: "rotate", summary: "Rotate keys.",
                    arguments: [
                        ArgumentSpec("source", help: "Keys file to read."),
                        ArgumentSpec("dest", help: "Where to write.", optional: true),
                        ArgumentSpec("hosts", help: "Hosts to rotate.", optional: true, variadic: true),
                    ]),
            ]),
        CommandSpec(name: "ping", summary: "Check that every host answers."),
    ])

func parse(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandLineOutcome {
    try CommandLineParser.parse(arguments, spec: fleetSpec, version: "fleet 1.2.3", environment: environment)
}

func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ParsedCommand {
    let outcome = try parse(arguments, environment: environment)
    guard case .run(let command) = outcome else {
        Issue.record("expected a command, got \(outcome)")
        throw UsageError(message: "not a run", commandPath: [])
    }
    return command
}

func usageError(_ arguments: [String], environment: [String: String] = [:]) -> UsageError? {
    do {
        _ = try CommandLineParser.parse(arguments, spec: fleetSpec, version: "1", environment: environment)
        return nil
    } catch {
        return error
    }
}

func helpText(_ arguments: [String]) throws -> String? {
    if case .help(let text) = try parse(arguments) { return text }
    return nil
}

@Suite(.tags(.unit)) struct CommandLineParserTests {
    @Test func subcommandWithOptionsInEveryForm() throws {
        let parsed = try run(["-i", "prod.csv", "run", "--forks", "5", "--timeout=30", "-l", "web*", "-lDB", "uptime"])
        #expect(parsed.path == ["fleet", "run"])
        #expect(parsed.arguments == ["uptime"])
        #expect(parsed.argument("command") == "uptime")
        #expect(parsed.value("inventory") == "prod.csv")
        #expect(try parsed.int("forks", range: 1...500) == 5)
        #expect(try parsed.int("timeout") == 30)
        #expect(parsed.values("limit") == ["web*", "DB"])
        #expect(parsed.value("limit") == "DB")
        #expect(!parsed.flag("quiet"))
        #expect(parsed.passthrough.isEmpty)
    }

    @Test func bundledShortFlagsAndValues() throws {
        let parsed = try run(["run", "-vqf7", "x"])
        #expect(parsed.flag("verbose"))
        #expect(parsed.flag("quiet"))
        #expect(parsed.value("forks") == "7")
        let spaced = try run(["run", "-qf", "8", "x"])
        #expect(spaced.value("forks") == "8")
    }

    @Test func parentOptionsWorkAfterSubcommand() throws {
        let parsed = try run(["run", "--inventory", "a.csv", "-v", "ls"])
        #expect(parsed.value("inventory") == "a.csv")
        #expect(parsed.flag("verbose"))
        #expect(parsed.flag("--verbose"))
    }

    @Test func passthroughAfterSeparator() throws {
        let parsed = try run(["run", "echo", "--", "--forks", "-h", "--help", "x"])
        #expect(parsed.arguments == ["echo"])
        #expect(parsed.passthrough == ["--forks", "-h", "--help", "x"])
        let rotate = try run(["keys", "rotate", "--", "-odd-name"])
        #expect(rotate.argument("source") == "-odd-name")
    }

    @Test func environmentAndDefaults() throws {
        let plain = try run(["run", "x"])
        #expect(plain.value("timeout") == "600")
        #expect(try plain.int("forks") == 10)
        #expect(plain.value("inventory") == "servers.csv")
        #expect(!plain.flag("force"))
        #expect(plain.value("limit") == nil)
        #expect(plain.values("limit") == [])
        #expect(try plain.int("limit") == nil)
        #expect(try plain.double("ratio") == nil)

        let environment = ["TIMEOUT": "90", "FORCE": "yes", "VERBOSE": "0", "INVENTORY": ""]
        let fromEnvironment = try run(["run", "x"], environment: environment)
        #expect(try fromEnvironment.int("timeout") == 90)
        #expect(fromEnvironment.flag("force"))
        #expect(!fromEnvironment.flag("verbose"))
        #expect(fromEnvironment.value("inventory") == "servers.csv")
        for on in ["1", "true", "TRUE", "Yes"] {
            #expect(try run(["run", "x"], environment: ["FORCE": on]).flag("force"))
        }
        let overridden = try run(["run", "--timeout", "5", "x"], environment: environment)
        #expect(overridden.value("timeout") == "5")
    }

    @Test func repeatedOptionLastWins() throws {
        let parsed = try run(["run", "--forks", "3", "-f", "4", "--forks=9", "x"])
        #expect(parsed.value("forks") == "9")
        #expect(parsed.values("forks") == ["9"])
    }

    @Test func numbers() throws {
        let parsed = try run(["run", "--forks", "abc", "--ratio", "0.5", "--timeout", "-5", "x"])
        #expect(try parsed.double("ratio") == 0.5)
        #expect(try parsed.int("timeout") == -5)
        #expect(throws: UsageError(message: "--forks expects a whole number from 1 to 500, got 'abc'", commandPath: ["fleet", "run"])) {
            try parsed.int("forks", range: 1...500)
        }
        let error = UsageError(message: "--forks expects a whole number from 1 to 500, got 'abc'", commandPath: ["fleet", "run"])
        #expect(error.description == "fleet run: --forks expects a whole number from 1 to 500, got 'abc'; see 'fleet run --help'")
        let outOfRange = try run(["run", "-f", "501", "x"])
        #expect(throws: UsageError.self) { try outOfRange.int("forks", range: 1...500) }
        let fromEnvironment = try run(["run", "x"], environment: ["TIMEOUT": "soon"])
        #expect(throws: UsageError(message: "--timeout expects a whole number, got 'soon' from TIMEOUT", commandPath: ["fleet", "run"])) {
            try fromEnvironment.int("timeout")
        }
        let badDouble = try run(["run", "--ratio", "half", "x"])
        #expect(throws: UsageError(message: "--ratio expects a number, got 'half'", commandPath: ["fleet", "run"])) {
            try badDouble.double("ratio")
        }
        let notFinite = try run(["run", "--ratio=inf", "x"])
        #expect(throws: UsageError.self) { try notFinite.double("ratio") }
    }

    @Test func positionalsForNestedCommand() throws {
        let one = try run(["keys", "rotate", "a.json"])
        #expect(one.path == ["fleet", "keys", "rotate"])
        #expect(one.argument("source") == "a.json")
        #expect(one.argument("dest") == nil)
        #expect(one.argumentValues("hosts") == [])
        let many = try run(["keys", "rotate", "a.json", "b.json", "h1", "h2"])
        #expect(many.argument("dest") == "b.json")
        #expect(many.argumentValues("hosts") == ["h1", "h2"])
        #expect(many.argument("hosts") == "h1")
        #expect(many.arguments == ["a.json", "b.json", "h1", "h2"])
        #expect(try run(["keys", "rotate", "-"]).argument("source") == "-")
    }

    @Test func versionAtTopLevelOnly() throws {
        guard case .version(let text) = try parse(["--version"]) else {
            Issue.record("expected the version")
            return
        }
        #expect(text == "fleet 1.2.3")
        #expect(usageError(["ping", "--version"])?.message == "unknown option '--version'")
    }

    @Test func usageErrors() {
        #expect(usageError(["run", "--frks", "3", "x"])?.description
            == "fleet run: unknown option '--frks' (did you mean '--forks'?); see 'fleet run --help'")
        #expect(usageError(["run", "--zzzzzz", "x"])?.message == "unknown option '--zzzzzz'")
        #expect(usageError(["rn", "x"])?.description
            == "fleet: unknown subcommand 'rn' (did you mean 'run'?); see 'fleet --help'")
        #expect(usageError(["deploy"])?.message == "unknown subcommand 'deploy'; expected one of: run, keys, ping")
        #expect(usageError(["keys", "rotat"])?.description
            == "fleet keys: unknown subcommand 'rotat' (did you mean 'rotate'?); see 'fleet keys --help'")
        #expect(usageError([])?.description == "fleet: missing subcommand; expected one of: run, keys, ping; see 'fleet --help'")
        #expect(usageError(["run"])?.message == "missing argument <command>")
        #expect(usageError(["keys", "rotate"])?.message == "missing argument <source>")
        #expect(usageError(["ping", "extra"])?.description == "fleet ping: unexpected argument 'extra'; see 'fleet ping --help'")
        #expect(usageError(["run", "x", "y"])?.message == "unexpected argument 'y'")
        #expect(usageError(["run", "x", "--forks"])?.message == "--forks expects a value N")
        #expect(usageError(["run", "x", "--forks", "--quiet"])?.message == "--forks expects a value N")
        #expect(usageError(["run", "x", "-f"])?.message == "-f (--forks) expects a value N")
        #expect(usageError(["run", "x", "--quiet=yes"])?.message == "--quiet is a flag and takes no value, got '--quiet=yes'")
        #expect(usageError(["run", "-z", "x"])?.message == "unknown option '-z'")
        #expect(usageError(["run", "-qz", "x"])?.message == "unknown option '-z' in '-qz'")
    }

    @Test func helpForTheDeepestCommand() throws {
        let top = try #require(try helpText(["--help"]))
        #expect(top.hasPrefix("USAGE: fleet <subcommand> [<options>]\n"))
        #expect(top.contains("SUBCOMMANDS:\n  run                   Run a shell command on every host.\n  keys "))
        #expect(top.hasSuffix("See 'fleet <subcommand> --help' for detailed help.\n"))
        #expect(top.contains("--version"))
        let runHelp = try #require(try helpText(["run", "--help"]))
        #expect(runHelp.hasPrefix("USAGE: fleet run [<options>] <command> [-- <arguments>...]\n"))
        #expect(try helpText(["-h", "run"]) == runHelp)
        #expect(try helpText(["run", "-qh"]) == runHelp)
        #expect(try helpText(["run", "--frks", "-h"]) == runHelp)
        #expect(try helpText(["keys", "rotate", "-h"])?.hasPrefix("USAGE: fleet keys rotate [<options>] <source> [<dest>] [<hosts>...]") == true)
        #expect(try helpText(["nope", "--help"]) == top)
        #expect(!runHelp.contains("--version"))
        #expect(HelpFormatter.help(root: fleetSpec, path: ["run"]) == runHelp)
        if case .help = try parse(["run", "x", "--", "--help"]) { Issue.record("--help after -- is passthrough") }
    }

    @Test func helpLayout() throws {
        let runHelp = try #require(try helpText(["run", "--help"]))
        #expect(runHelp == """
            USAGE: fleet run [<options>] <command> [-- <arguments>...]

            Run a shell command on every host.

            The command runs through the remote user's shell. Output is collected per host
            and printed when the host finishes, so lines from different hosts never
            interleave.

            ARGUMENTS:
              <command>              The command to run.

            OPTIONS:
              -f, --forks N          Hosts to run at once. (env: FORKS, default: 10)
                  --timeout SECONDS  Per-command timeout (env: TIMEOUT, default: 600)
              -l, --limit PATTERN    Only hosts matching the pattern. (repeatable)
              -q, --quiet            Print only the recap.
                  --force            Run even when checks pass. (env: FORCE)
                  --ratio R          A number.
              -i, --inventory FILE   The inventory CSV. (env: INVENTORY, default:
                                     servers.csv)
              -v, --verbose          Log debug lines. (env: VERBOSE)
              -h, --help             Show help information.

            """)
        for line in runHelp.split(separator: "\n") {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        let long = CommandSpec(
            name: "tool", summary: String(repeating: "word ", count: 40),
            options: [OptionSpec("a-very-long-option-name", value: "VALUE", help: String(repeating: "explain ", count: 20))])
        let text = HelpFormatter.help(root: long)
        for line in text.split(separator: "\n") {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        #expect(text.contains("\n      --a-very-long-option-name VALUE\n                              explain explain"))
    }

    @Test func editDistance() {
        #expect(CommandLineSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(CommandLineSuggestion.editDistance("", "abc") == 3)
        #expect(CommandLineSuggestion.closest(to: "--frks", among: ["--forks", "--force"]) == "--forks")
        #expect(CommandLineSuggestion.closest(to: "xyz", among: ["run"]) == nil)
    }
}
