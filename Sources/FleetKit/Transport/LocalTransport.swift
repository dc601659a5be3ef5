import Foundation

/// Runs commands on this machine with `/bin/sh -c`, the same way a host would, for
/// local steps and for tests that need a real shell without SSH.
public struct LocalTransport: Transport {
    /// Time allowed to a command when the caller gives none.
    public var defaultCommandTimeout: Duration
    /// How commands that ask for root get it when the host value sets no mode (see
    /// ``Privilege``): with ``PrivilegeEscalation/detect``, directly when this process
    /// runs as root, else through `sudo -n`.
    public var privilegeEscalation: PrivilegeEscalation

    /// Creates a local transport.
    public init(defaultCommandTimeout: Duration = .seconds(600), privilegeEscalation: PrivilegeEscalation = .detect) {
        self.defaultCommandTimeout = defaultCommandTimeout
        self.privilegeEscalation = privilegeEscalation
    }

    /// Runs the command locally; the host value only names it in errors and chooses how
    /// root is reached (``Privilege``). Cancelling the
    /// calling task stops the command and its children and throws a `cancelled` error.
    public func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        if Task.isCancelled {
            throw TransportError(host: host.name, kind: .cancelled, message: "cancelled before the command started")
        }
        let timeout = command.timeout ?? defaultCommandTimeout
        let script = Privilege.prepare(command.script, on: host, fallback: privilegeEscalation)
        let request = ProcessRequest(executable: "/bin/sh",
                                     arguments: ["-c", RemoteTimeout.wrap(script, timeout: timeout)],
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
