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

    /// Runs the command locally; the host value only names it in errors.
    public func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        let timeout = command.timeout ?? defaultCommandTimeout
        let request = ProcessRequest(executable: "/bin/sh",
                                     arguments: ["-c", RemoteTimeout.wrap(command.script, timeout: timeout)],
                                     standardInput: command.standardInput ?? Data(),
                                     timeout: timeout + .seconds(RemoteTimeout.killAfterSeconds + 2),
                                     outputLimit: command.outputLimit)
        do {
            return CommandResult(try await ProcessRunner.run(request))
        } catch {
            throw TransportError(host: host.name, kind: .launchFailed, message: error.description)
        }
    }
}
