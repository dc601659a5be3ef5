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

    /// Creates the I/O description.
    public init(arguments: [String], environment: [String: String], currentDirectory: URL, standardErrorIsTerminal: Bool,
                writeOutput: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void) {
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
    /// `redact` (a session's ``FleetSession/redact(_:)``) first.
    public func writeJSON<Value: Encodable>(_ value: Value, redact: (String) -> String = { $0 }) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        writeOutput(redact(String(decoding: try encoder.encode(value), as: UTF8.self)) + "\n")
    }

    /// A console line writer for run logs (standard error, one line each).
    public var consoleLine: @Sendable (String) -> Void {
        let write = writeError
        return { line in write(line + "\n") }
    }
}

/// Errors that mean "your input is wrong" (exit 2) rather than "the job failed" (exit 1).
public protocol InputError: Error, CustomStringConvertible {}

extension UsageError: InputError {}
extension InventoryError: InputError {}
extension CSVError: InputError {}
extension PreflightFailure: InputError {}

/// The shared driver of every executable: parses arguments, answers `--help` and
/// `--version`, runs the handler and turns errors into one clear line and an exit code.
/// Before the handler runs it raises the soft limit of open files to the hard limit
/// (``OpenFileLimit/raiseSoftLimit()``), so runs over hundreds of hosts fit under it.
public enum CommandLineTool {
    /// Runs a tool and returns its exit code; the executable passes it to `exit`.
    public static func main(spec: CommandSpec, version: String, io: ToolIO,
                            handler: (ParsedCommand) async throws -> Int32) async -> Int32 {
        OpenFileLimit.raiseSoftLimit()
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
        do {
            return try await handler(parsed)
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
