import Foundation

/// A shell command line to run on a host, with what it reads and how long it may take.
public struct RemoteCommand: Sendable {
    /// The command line, parsed by `sh -c` on the host. Values inside it must be quoted
    /// with ``ShellQuote``.
    public var script: String
    /// Bytes for the command's standard input. Secrets travel here, never in `script`.
    public var standardInput: Data?
    /// Limit enforced on the host by `timeout` and locally by SIGTERM then SIGKILL; `nil`
    /// uses the transport's default.
    public var timeout: Duration?
    /// Bytes kept of each of stdout and stderr.
    public var outputLimit: Int
    /// Receives standard output in chunks as it arrives, instead of it being kept in the
    /// result (see ``ProcessRequest/standardOutputHandler``): for commands that print more
    /// than memory should hold, such as a node's whole log.
    public var standardOutputHandler: StandardOutputHandler?

    /// Creates a command.
    public init(_ script: String, standardInput: Data? = nil, timeout: Duration? = nil, outputLimit: Int = 1 << 20,
                standardOutputHandler: StandardOutputHandler? = nil) {
        self.script = script
        self.standardInput = standardInput
        self.timeout = timeout
        self.outputLimit = outputLimit
        self.standardOutputHandler = standardOutputHandler
    }
}

/// How a command ended on a host. A non-zero exit is a value, not an error.
public struct CommandResult: Sendable, Equatable, Codable {
    /// The command's exit status (124 when the host's `timeout` stopped it).
    public var exitStatus: Int32
    /// Standard output, decoded as UTF-8 (invalid bytes replaced).
    public var standardOutput: String
    /// Standard error, decoded as UTF-8 (invalid bytes replaced).
    public var standardError: String
    /// Wall time seen from this machine, in seconds.
    public var duration: Double
    /// Whether the command was stopped because it ran past its timeout.
    public var timedOut: Bool
    /// Whether some output was dropped at the output limit.
    public var truncated: Bool

    /// Creates a result.
    public init(exitStatus: Int32, standardOutput: String = "", standardError: String = "", duration: Double = 0, timedOut: Bool = false, truncated: Bool = false) {
        self.exitStatus = exitStatus
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.duration = duration
        self.timedOut = timedOut
        self.truncated = truncated
    }

    /// Whether the command exited 0 within its time.
    public var succeeded: Bool { exitStatus == 0 && !timedOut }

    /// The last `count` non-empty lines of standard error (or of standard output when
    /// standard error is empty), for error messages.
    public func tail(lines count: Int = 5) -> String {
        let source = standardError.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? standardOutput : standardError
        let lines = source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.suffix(count).joined(separator: "\n")
    }

    /// A short sentence: "exit 2", "timed out after 30 s".
    public var summary: String {
        if timedOut { return "timed out after \(String(format: "%.1f", duration)) s" }
        return "exit \(exitStatus)"
    }
}

/// The host could not be reached or would not let us in, or the calling task was
/// cancelled; the command never ran, or did not finish.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the host could not be used.
    public enum Kind: String, Sendable, Codable {
        /// No connection: refused, timed out, no route, name not found.
        case unreachable
        /// The host refused our key or user.
        case authenticationFailed
        /// The host presented a key different from the one recorded for it.
        case hostKeyChanged
        /// The host or user value cannot be used safely (for example it starts with `-`).
        case invalidHost
        /// The local program (`ssh`, `sh`) could not be started.
        case launchFailed
        /// The calling task was cancelled; a command that had started was stopped.
        case cancelled
    }

    /// The host's name.
    public var host: String
    /// What went wrong.
    public var kind: Kind
    /// A sentence for a person, with what to do where there is something to do.
    public var message: String

    /// Creates an error.
    public init(host: String, kind: Kind, message: String) {
        self.host = host
        self.kind = kind
        self.message = message
    }

    /// Whether trying again may help.
    public var isRetryable: Bool { kind == .unreachable }

    /// "host: message".
    public var description: String { "\(host): \(message)" }
}
