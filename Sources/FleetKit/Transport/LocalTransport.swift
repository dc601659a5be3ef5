import Foundation

/// Runs commands on this machine with `/bin/sh -c`, the same way a host would, for
/// local steps and for tests that need a real shell without SSH.
public struct LocalTransport: Transport {
    /// Time allowed to a command when the caller gives none.
    public var defaultCommandTimeout: Duration

    /// Creates a local transport.
    public init(defaultCommandTimeout: Duration = .seconds(600)) {
        self.defaultCommandTimeout = defaultCommandTimeout
    }

    /// Runs the command locally; the host value only names it in errors. Cancelling the
    /// calling task stops the command and its children and throws a `cancelled` error.
    public func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        if Task.isCancelled {
            throw TransportError(host: host.name, kind: .cancelled, message: "cancelled before the command started")
        }
        let timeout = command.timeout ?? defaultCommandTimeout
        let request = ProcessRequest(executable: "/bin/sh",
                                     arguments: ["-c", RemoteTimeout.wrap(command.script, timeout: timeout)],
                                     standardInput: command.standardInput ?? Data(),
                                     timeout: timeout + .seconds(RemoteTimeout.killAfterSeconds + 2),
                                     outputLimit: command.outputLimit, standardOutputHandler: command.standardOutputHandler)
        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(request)
        } catch {
            throw TransportError(host: host.name, kind: .launchFailed, message: error.description)
        }
        if output.cancelled {
            throw TransportError(host: host.name, kind: .cancelled, message: "cancelled while the command ran; it was stopped")
        }
        return CommandResult(output)
    }
}
