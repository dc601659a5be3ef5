import Foundation

/// What Swift steps get: the host, a way to run commands on it, and the run's log.
public struct HostContext: Sendable {
    /// The host being worked on.
    public let host: RemoteHost
    /// The transport in use.
    public let transport: any Transport
    /// The run log; lines written through ``log(_:_:)`` carry the host's name.
    public let runLog: RunLog
    /// Default limit of commands run through this context.
    public let defaultTimeout: Duration?
    /// Values steps of this host share with later steps of the same run.
    public let facts: HostFacts
    /// The run's clock: steps that wait (for a node to start, a sync to advance) pause
    /// through ``sleep(for:)``, so tests can run them without waiting.
    public let clock: any FleetClock

    /// Creates a context (the runner does this for each host).
    public init(host: RemoteHost, transport: any Transport, runLog: RunLog, defaultTimeout: Duration? = nil, facts: HostFacts = HostFacts(),
                clock: any FleetClock = SystemClock()) {
        self.host = host
        self.transport = transport
        self.runLog = runLog
        self.defaultTimeout = defaultTimeout
        self.facts = facts
        self.clock = clock
    }

    /// Pauses the step for `duration` on the run's clock; throws `CancellationError` when
    /// the run is cancelled meanwhile.
    public func sleep(for duration: Duration) async throws {
        try await clock.sleep(for: duration)
    }

    /// Runs a shell command line on the host.
    public func run(_ script: String, standardInput: Data? = nil, timeout: Duration? = nil) async throws(TransportError) -> CommandResult {
        try await transport.run(RemoteCommand(script, standardInput: standardInput, timeout: timeout ?? defaultTimeout), on: host)
    }

    /// Runs a command on the host.
    public func run(_ command: RemoteCommand) async throws(TransportError) -> CommandResult {
        var command = command
        if command.timeout == nil { command.timeout = defaultTimeout }
        return try await transport.run(command, on: host)
    }

    /// Writes bytes to a file on the host atomically with `mode`.
    public func upload(_ data: Data, to path: String, mode: UInt16) async throws(TransportError) -> CommandResult {
        try await transport.upload(data, to: path, mode: mode, on: host)
    }

    /// The same context with `timeout` as the default limit of its commands.
    public func limited(to timeout: Duration) -> HostContext {
        HostContext(host: host, transport: transport, runLog: runLog, defaultTimeout: timeout, facts: facts, clock: clock)
    }

    /// Writes a line to the run log about this host.
    public func log(_ level: LogLevel, _ message: String) { runLog.log(level, host: host.name, message) }
}

/// A small per-host store for values found by one step and used by a later one.
public final class HostFacts: Sendable {
    private let values = Locked<[String: String]>([:])

    /// Creates an empty store.
    public init() {}

    /// The value stored under `key`, or `nil`.
    public subscript(key: String) -> String? {
        get { values.withLock { $0[key] } }
        set { values.withLock { $0[key] = newValue } }
    }
}

/// A failure a Swift step reports with a message for people.
public struct StepFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates a failure.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
