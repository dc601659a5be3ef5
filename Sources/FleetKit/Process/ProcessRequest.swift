import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What to run on this machine: an executable with an argv array, never a shell string.
public struct ProcessRequest: Sendable {
    /// Absolute path of the program to start.
    public var executable: String
    /// Arguments after argv[0], passed to the program as they are.
    public var arguments: [String]
    /// Bytes written to the program's standard input, then closed; `nil` connects `/dev/null`.
    public var standardInput: Data?
    /// How long the program may run before it gets SIGTERM; `nil` waits forever.
    public var timeout: Duration?
    /// Time between SIGTERM and SIGKILL once the timeout has passed or the calling task
    /// was cancelled.
    public var killGrace: Duration
    /// Bytes kept of each of stdout and stderr; the rest is read and dropped.
    public var outputLimit: Int
    /// The environment of the program; `nil` inherits this process's environment.
    public var environment: [String: String]?
    /// Receives standard output as it arrives instead of it being kept: chunks in order, one
    /// call at a time, on a reader thread, never after the run returned. With a handler,
    /// ``ProcessOutput/standardOutput`` stays empty and `outputLimit` bounds standard error
    /// only, so a program may print any amount while memory stays constant. The handler
    /// should be quick: the program waits on a full pipe while it runs.
    public var standardOutputHandler: StandardOutputHandler?
    /// Called once, on a reader thread, when the program first writes to standard error
    /// (what it wrote is still captured). ``OpenSSHTransport`` learns from it that the
    /// connection is up: its remote wrapper writes a start line there first.
    public var standardErrorStarted: (@Sendable () -> Void)?
    /// How the program's standard streams are connected: captured (the default), or passed
    /// through to a terminal for a program that talks to the operator.
    public var streams: ProcessStreams

    /// Creates a request with a 2-second kill grace and a 4 MiB limit per output stream.
    public init(
        executable: String,
        arguments: [String] = [],
        standardInput: Data? = nil,
        timeout: Duration? = nil,
        killGrace: Duration = .seconds(2),
        outputLimit: Int = 4 << 20,
        environment: [String: String]? = nil,
        standardOutputHandler: StandardOutputHandler? = nil,
        standardErrorStarted: (@Sendable () -> Void)? = nil,
        streams: ProcessStreams = .captured
    ) {
        self.executable = executable
        self.arguments = arguments
        self.standardInput = standardInput
        self.timeout = timeout
        self.killGrace = killGrace
        self.outputLimit = outputLimit
        self.environment = environment
        self.standardOutputHandler = standardOutputHandler
        self.standardErrorStarted = standardErrorStarted
        self.streams = streams
    }
}

/// How a program's standard streams are connected.
public enum ProcessStreams: Sendable, Equatable {
    /// Standard input from ``ProcessRequest/standardInput`` (or `/dev/null`); standard
    /// output and standard error captured into ``ProcessOutput``.
    case captured
    /// For a program that talks to the operator, such as one that asks for a passphrase
    /// and shows a transaction to confirm: it reads `input` and writes its standard error
    /// to `error` directly (neither passes through this process), and its standard output
    /// is copied to `output` as it arrives while the first ``ProcessRequest/outputLimit``
    /// bytes are also kept in ``ProcessOutput/standardOutput``. The defaults are this
    /// process's own standard streams; ``ProcessRequest/standardInput``,
    /// ``ProcessRequest/standardOutputHandler`` and ``ProcessRequest/standardErrorStarted``
    /// are not used, and ``ProcessOutput/standardError`` stays empty.
    case interactive(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, error: Int32 = STDERR_FILENO)
}

/// Takes one chunk of a program's standard output; the bytes are valid only during the call.
public typealias StandardOutputHandler = @Sendable (UnsafeRawBufferPointer) -> Void

/// What a finished program left behind.
public struct ProcessOutput: Sendable {
    /// The exit status, or 128 + the signal number when a signal ended the program.
    public var status: Int32
    /// Captured standard output, at most the request's output limit.
    public var standardOutput: Data
    /// Captured standard error, at most the request's output limit.
    public var standardError: Data
    /// Whether some output was dropped because it passed the limit.
    public var truncated: Bool
    /// Whether the program was stopped because it ran past its timeout.
    public var timedOut: Bool
    /// Whether the program was stopped because the calling task was cancelled.
    public var cancelled: Bool
    /// Wall time from start to exit.
    public var duration: Duration
}

/// A program could not be started at all.
public struct ProcessLaunchError: Error, Sendable, CustomStringConvertible {
    /// The program that failed to start.
    public let executable: String
    /// Why, as the system said it.
    public let reason: String

    /// A sentence naming the program and the reason.
    public var description: String { "cannot start \(executable): \(reason)" }
}
