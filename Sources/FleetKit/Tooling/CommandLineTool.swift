import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes shared by every tool.
public enum ToolExitCode {
    /// The job succeeded.
    public static let success: Int32 = 0
    /// The job ran and failed: a host failed, a check failed.
    public static let failure: Int32 = 1
    /// Usage or input error: bad arguments, a bad inventory.
    public static let usage: Int32 = 2
}

/// What an executable hands to the shared tool driver: its arguments, environment and
/// the writers for its standard output and standard error.
public struct ToolIO: Sendable {
    /// Arguments after the program name.
    public var arguments: [String]
    /// The process environment.
    public var environment: [String: String]
    /// The working directory.
    public var currentDirectory: URL
    /// Whether standard error is a terminal (for colour).
    public var standardErrorIsTerminal: Bool
    /// Writes text to standard output as it is.
    public var writeOutput: @Sendable (String) -> Void
    /// Writes text to standard error as it is.
    public var writeError: @Sendable (String) -> Void
    /// The signals of this run: whether one interrupted the command (see ``CommandLineTool``).
    public var interruption: ToolInterruption

    /// Creates the I/O description.
    public init(arguments: [String], environment: [String: String], currentDirectory: URL, standardErrorIsTerminal: Bool,
                writeOutput: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
                interruption: ToolInterruption = ToolInterruption()) {
        self.interruption = interruption
        self.arguments = arguments
        self.environment = environment
        self.currentDirectory = currentDirectory
        self.standardErrorIsTerminal = standardErrorIsTerminal
        self.writeOutput = writeOutput
        self.writeError = writeError
    }

    /// This process's I/O: its arguments after the program name, its environment and working
    /// directory, and its standard output and error. What every executable's `main` uses.
    public static func process() -> ToolIO {
        ToolIO(
            arguments: Array(CommandLine.arguments.dropFirst()),
            environment: ProcessInfo.processInfo.environment,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
            standardErrorIsTerminal: isatty(STDERR_FILENO) == 1,
            writeOutput: { FileHandle.standardOutput.write(Data($0.utf8)) },
            writeError: { FileHandle.standardError.write(Data($0.utf8)) })
    }

    /// Whether console lines get colour: a terminal and no `NO_COLOR`.
    public var colored: Bool { shouldColorConsole(isTerminal: standardErrorIsTerminal, environment: environment) }

    /// Writes `value` to standard output as pretty JSON with sorted keys, passed through
    /// `redact` (a session's ``FleetSession/redact(_:)``) first. `escapingSlashes: false`
    /// writes paths and URLs as they are (`/` instead of `\/`).
    public func writeJSON<Value: Encodable>(_ value: Value, escapingSlashes: Bool = true, redact: (String) -> String = { $0 }) throws {
        writeOutput(redact(String(decoding: try JSONEncoder.report(escapingSlashes: escapingSlashes).encode(value), as: UTF8.self)) + "\n")
    }

    /// A console line writer for run logs (standard error, one line each).
    public var consoleLine: @Sendable (String) -> Void {
        let write = writeError
        return { line in write(line + "\n") }
    }
}

/// Errors that mean "your input is wrong" (exit 2) rather than "the job failed" (exit 1).
public protocol InputError: Error, CustomStringConvertible {}

/// A library's complaint about one setting of a job, named by a key of the library's own
/// (`aztecVersion`, `logSince`), never by a tool's option: the tool that passed the value
/// maps the key to its option when it shows the problem (see ``CommandLineTool``).
public protocol SettingProblem: Error, CustomStringConvertible {
    /// The setting, in the library's words.
    var settingKey: String { get }
    /// What is wrong with the value and what is expected.
    var problem: String { get }
}

extension UsageError: InputError {}
extension InventoryError: InputError {}
extension CSVError: InputError {}
extension PreflightFailure: InputError {}

/// The shared driver of every executable: parses arguments, answers `--help` and
/// `--version`, runs the handler and turns errors into one clear line and an exit code.
/// Before the handler runs it raises the soft limit of open files to the hard limit
/// (``OpenFileLimit/raiseSoftLimit()``), so runs over hundreds of hosts fit under it.
///
/// Signals: SIGINT (Ctrl-C), SIGTERM and SIGHUP cancel the handler's task (see
/// ``ToolInterruption``), so the job stops what it started — local programs, remote
/// commands — and reports what it did; the tool then exits with 128 + the signal's number
/// (130, 143, 129). A second signal forces the exit at once with the same code. SIGPIPE
/// never ends a tool: a write to a closed pipe fails instead, and programs the tool starts
/// get SIGPIPE's default action back.
public enum CommandLineTool {
    /// Runs a tool and returns its exit code; the executable passes it to `exit`.
    ///
    /// A ``SettingProblem`` the handler throws is a usage error (exit 2) shown with the
    /// option `optionName` gives for the command's name and the setting's key.
    public static func main(spec: CommandSpec, version: String, io: ToolIO,
                            optionName: @escaping @Sendable (_ command: String, _ settingKey: String) -> String? = { _, _ in nil },
                            handler: @escaping @Sendable (ParsedCommand) async throws -> Int32) async -> Int32 {
        OpenFileLimit.raiseSoftLimit()
        PipeSignal.neverEndsTheProcess()
        let parsed: ParsedCommand
        do {
            switch try CommandLineParser.parse(io.arguments, spec: spec, version: version, environment: io.environment) {
            case .help(let text):
                io.writeOutput(text.hasSuffix("\n") ? text : text + "\n")
                return ToolExitCode.success
            case .version(let text):
                io.writeOutput("\(spec.name) \(text)\n")
                return ToolExitCode.success
            case .run(let command):
                parsed = command
            }
        } catch {
            io.writeError("\(error.description)\n")
            return ToolExitCode.usage
        }
        let interruption = io.interruption
        switch await interruption.run({ try await handler(parsed) }) {
        case .forced(let signal):
            ToolInterruption.killLocalPrograms()
            io.writeError("\(spec.name): forced to exit by a second \(ToolInterruption.name(of: signal)); "
                + "programs it started were killed, remote commands may run on until their time limit\n")
            return ToolInterruption.exitCode(for: signal)
        case .finished(let result):
            let code = report(result, spec: spec, parsed: parsed, io: io, optionName: optionName)
            guard let signal = interruption.receivedSignal, !interruption.stopsNormallyOnSignal else { return code }
            io.writeError("\(spec.name): interrupted by \(ToolInterruption.name(of: signal))\n")
            return ToolInterruption.exitCode(for: signal)
        }
    }

    /// The exit code of the handler's `result`, with one line on standard error for an error.
    private static func report(_ result: Result<Int32, any Error>, spec: CommandSpec, parsed: ParsedCommand, io: ToolIO,
                               optionName: (_ command: String, _ settingKey: String) -> String?) -> Int32 {
        do {
            return try result.get()
        } catch is CancellationError where io.interruption.isInterrupted {
            return ToolExitCode.failure   // the signal is reported by the caller
        } catch let error as any SettingProblem {
            let option = optionName(parsed.path.last ?? "", error.settingKey).map { "--\($0): " } ?? ""
            io.writeError("\(UsageError(message: option + error.problem, commandPath: parsed.path).description)\n")
            return ToolExitCode.usage
        } catch let error as PreflightFailure {
            io.writeError("\(spec.name): \(error.summaryAfterLoggedProblems)\n")   // the run log showed each problem
            return ToolExitCode.usage
        } catch let error as UsageError {
            io.writeError("\(error.description)\n")   // already names the command
            return ToolExitCode.usage
        } catch let error as any InputError {
            io.writeError("\(spec.name): \(error.description)\n")
            return ToolExitCode.usage
        } catch {
            io.writeError("\(spec.name): \(error)\n")
            return ToolExitCode.failure
        }
    }
}

/// The version of the SDK and its tools.
public enum FleetKitVersion {
    /// Semantic version string.
    public static let current = "0.1.0"
}
