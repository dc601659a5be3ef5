import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Parser and driver pieces the tools share: exclusive options, choices, an implied
/// subcommand, and a library's setting problem shown with the tool's option.
@Suite(.tags(.unit)) struct CommandLineHelpersTests {
    enum Format: String, CaseIterable { case original, detailed }

    static let spec = CommandSpec(
        name: "tool", summary: "test",
        subcommands: [
            CommandSpec(name: "deploy", summary: "deploy", arguments: [ArgumentSpec("FILE", help: "file")],
                        options: [OptionSpec("adopt", help: "a"), OptionSpec("migrate", help: "m"),
                                  OptionSpec("format", value: "F", help: "f", defaultValue: "original")]),
            CommandSpec(name: "render", summary: "render", arguments: [ArgumentSpec("FILE", help: "file")]),
        ],
        defaultSubcommand: "deploy")

    static func parse(_ arguments: [String]) throws -> ParsedCommand {
        guard case .run(let parsed) = try CommandLineParser.parse(arguments, spec: spec, version: "1", environment: [:]) else {
            throw UsageError(message: "not a run", commandPath: [])
        }
        return parsed
    }

    @Test func aWordThatNamesNoSubcommandStartsTheDefaultOneAsItsArgument() throws {
        let implied = try Self.parse(["nodes/a.conf", "--adopt"])
        #expect(implied.path == ["tool", "deploy"] && implied.argument("FILE") == "nodes/a.conf" && implied.flag("adopt"))
        let named = try Self.parse(["render", "nodes/a.conf"])
        #expect(named.path == ["tool", "render"] && named.argument("FILE") == "nodes/a.conf")
    }

    @Test func exclusiveOptionsAreRefusedTogetherOnly() throws {
        try Self.parse(["deploy", "f", "--adopt"]).exclusive("adopt", "migrate")
        #expect(throws: UsageError(message: "--adopt and --migrate exclude each other: pick one", commandPath: ["tool", "deploy"])) {
            try Self.parse(["deploy", "f", "--adopt", "--migrate"]).exclusive("adopt", "migrate", why: "pick one")
        }
    }

    @Test func aChoiceIsOneOfTheCasesOrAnErrorListingThem() throws {
        #expect(try Self.parse(["deploy", "f"]).choice("format", of: Format.self) == .original)
        #expect(try Self.parse(["deploy", "f", "--format", "detailed"]).choice("format", of: Format.self) == .detailed)
        #expect(throws: UsageError(message: "--format expects one of original, detailed, got 'fancy'", commandPath: ["tool", "deploy"])) {
            try Self.parse(["deploy", "f", "--format", "fancy"]).choice("format", of: Format.self)
        }
    }

    struct VersionProblem: SettingProblem {
        var settingKey: String { "aztecVersion" }
        var problem: String { "'x y' is not a version" }
        var description: String { problem }
    }

    @Test func aSettingProblemIsAUsageErrorNamingTheToolsOption() async {
        let errors = Locked("")
        let io = ToolIO(arguments: ["deploy", "f"], environment: [:], currentDirectory: URL(fileURLWithPath: "/"), standardErrorIsTerminal: false,
                        writeOutput: { _ in }, writeError: { text in errors.withLock { $0 += text } })
        let code = await CommandLineTool.main(spec: Self.spec, version: "1", io: io,
                                              optionName: { command, key in command == "deploy" && key == "aztecVersion" ? "version" : nil }) { _ in
            throw VersionProblem()
        }
        #expect(code == ToolExitCode.usage)
        #expect(errors.withLock { $0 } == "tool deploy: --version: 'x y' is not a version; see 'tool deploy --help'\n")
    }

    @Test func anInputNamedOnTheCommandLineIsReadOrNamedInTheError() throws {
        let folder = FileManager.default.temporaryDirectory
        let file = "input-\(UUID().uuidString).txt"
        try "hello".write(to: folder.appendingPathComponent(file), atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: folder.appendingPathComponent(file)) }
        let io = ToolIO(arguments: [], environment: [:], currentDirectory: folder, standardErrorIsTerminal: false,
                        writeOutput: { _ in }, writeError: { _ in })
        let (data, name) = try io.readInput(file)
        #expect(String(decoding: data, as: UTF8.self) == "hello" && name == file)
        #expect { try io.readInput("missing-\(file)") } throws: { error in
            (error as? InputFileError)?.description.hasPrefix("cannot read missing-\(file): ") == true
        }
        #expect(throws: InputFileError.self) { try io.openInput("missing-\(file)") }
    }
}
