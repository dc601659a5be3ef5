import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs commands on hosts through the system's OpenSSH client, one multiplexed master
/// connection per host.
///
/// The first command to a host starts `ssh`, which opens the host's master connection
/// (ControlMaster) and keeps it for the next commands; it checks the host key, logs in and
/// retries as below. Once the master listens, each command is a session asked for on the
/// master's control socket from this process, in OpenSSH's multiplexing protocol, with
/// pipes for its standard streams (see ``MuxSession`` and ``MuxInvocation``): no local
/// program is started per command. The exit status comes from the master's exit message, so
/// a command's own 255 is a result and a lost connection (the master died, the network
/// went) is an `unreachable` error that is not retried, since the command may have done part
/// of its work. When no master answers on the socket, or it speaks another protocol
/// version or refuses the session, the command starts `ssh` as the first one did (and the
/// run log says so at debug level).
///
/// Through `ssh`, every command goes as an argv array; the remote side runs in a small
/// wrapper (see ``RemoteInvocation``) under `timeout`, and the local `ssh` gets SIGTERM then
/// SIGKILL if it outlives the deadline. The wrapper marks when the command started and
/// how it ended, so a command's own exit 255 is a result like any other, while an exit
/// 255 of `ssh` before the command started becomes a ``TransportError``; those connection
/// failures are retried with capped exponential backoff, failed commands never are.
///
/// On both paths the host's `timeout` bounds the command even when this machine is gone.
/// Cancelling the calling task ends the local side, then sends one short command over the
/// host's connection that stops the remote command's process group (bounded to a few
/// seconds), and throws a ``TransportError`` of kind `cancelled`.
public final class OpenSSHTransport: Transport {
    /// The settings in use.
    public let configuration: OpenSSHConfiguration
    private let clock: any FleetClock
    private let usedHosts = Locked<[String: RemoteHost]>([:])
    /// Bounds how many `ssh` processes are making a new connection at the same time. A
    /// connection costs a TCP handshake, the key exchange (OpenSSH's default post-quantum
    /// one takes about 0.1 s of CPU on the client) and the login; started for hundreds of
    /// hosts at once they would queue on the local CPU and, behind a shared sshd or a
    /// bastion, pass sshd's `MaxStartups` (10 unauthenticated connections by default, past
    /// which it drops new ones at random). A permit is held from the start of `ssh` until
    /// the remote command has started (or `ssh` ended), never for the command's whole run;
    /// commands over an open master connection need none.
    private let connectionStarts: AsyncSemaphore
    /// Where the choice of path per host is noted, at debug level.
    let log: RunLog?
    /// The path last noted per host, so the log says it once per host and change.
    let notedPaths = Locked<[String: String]>([:])
    /// Whether a session's process group is read from its start line. Tests turn it off to
    /// cancel commands as if the line had not arrived yet, so they are stopped by their id.
    let readsProcessGroups = Locked(true)

    /// Creates the transport, making the control folder (0700) and the known_hosts
    /// file's folder when missing.
    ///
    /// - Throws: ``TransportError`` of kind `launchFailed` when the control folder is
    ///   not a private folder of this user (another user could hijack the sockets), or
    ///   when ``OpenSSHConfiguration/connectionStartLimit`` is below 1.
    /// `log` receives one debug line per host saying whether its commands go over the
    /// master's control socket or start `ssh` each (and why).
    public init(configuration: OpenSSHConfiguration, clock: any FleetClock = SystemClock(), log: RunLog? = nil) throws(TransportError) {
        guard configuration.connectionStartLimit >= 1 else {
            throw TransportError(host: "local", kind: .launchFailed,
                                 message: "connectionStartLimit is \(configuration.connectionStartLimit); expected 1 or more connections starting at once")
        }
        self.configuration = configuration
        self.clock = clock
        self.log = log
        connectionStarts = AsyncSemaphore(limit: configuration.connectionStartLimit)
        try Self.preparePrivateDirectory(configuration.controlDirectory)
        let knownHostsFolder = configuration.knownHostsFile.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: knownHostsFolder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw TransportError(host: "local", kind: .launchFailed,
                                 message: "cannot create \(knownHostsFolder.path) for known_hosts: \(error.localizedDescription)")
        }
    }

    /// Runs `command` on `host`, retrying only when the connection fails before the
    /// command started.
    ///
    /// - Throws: ``TransportError``: `unreachable`, `authenticationFailed`,
    ///   `hostKeyChanged` when `ssh` could not run the command (after the retries), also
    ///   `unreachable` without a retry when the connection was lost while the command ran;
    ///   `cancelled` when the calling task was cancelled (a started command is stopped on
    ///   the host first); `invalidHost` and `launchFailed` for bad input or a missing `ssh`.
    public func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        let user = host.user ?? configuration.defaultUser
        try SSHArguments.validate(host, user: user)
        usedHosts.withLock { $0[host.name] = host }
        let timeout = command.timeout ?? configuration.defaultCommandTimeout
        let script = Privilege.prepare(command.script, on: host, fallback: configuration.privilegeEscalation)
        if configuration.opensSessionsOnControlSocket && SSHArguments.hasControlSocket(for: host, configuration: configuration) {
            if Task.isCancelled { throw Self.cancelled(host, after: "before the command was sent") }
            if let result = try await runOverMaster(command, script: script, timeout: timeout, on: host) { return result }
        }
        let invocation = RemoteInvocation(script: script, timeout: timeout)
        let arguments = SSHArguments.command(invocation.commandLine, on: host, configuration: configuration)
        // The host stops the command at `timeout`; locally we allow for the connection
        // and the host's own kill grace before giving up on ssh.
        let localTimeout = timeout + configuration.connectTimeout + .seconds(RemoteTimeout.killAfterSeconds + 5)
        let limit = max(0, command.outputLimit)
        var request = ProcessRequest(executable: configuration.sshPath, arguments: arguments,
                                     standardInput: command.standardInput ?? Data(), timeout: localTimeout,
                                     killGrace: configuration.killGrace, outputLimit: limit + invocation.markerBytes,
                                     standardOutputHandler: command.standardOutputHandler)
        var attempt = 1
        while true {
            if Task.isCancelled { throw Self.cancelled(host, after: "before the command was sent") }
            // A new connection waits for a slot, held until the wrapper's start line shows
            // the command is running (its first bytes on standard error) or ssh ended.
            var slot: AsyncSemaphore.Permit?
            if !SSHArguments.hasControlSocket(for: host, configuration: configuration) {
                guard let entered = await connectionStarts.acquire() else {
                    throw Self.cancelled(host, after: "while waiting for a connection slot")
                }
                slot = entered
            }
            if let slot {
                request.standardErrorStarted = { @Sendable in slot.release() }
            } else {
                request.standardErrorStarted = nil
            }
            let output: ProcessOutput
            do {
                output = try await ProcessRunner.run(request)
                slot?.release()
            } catch {
                slot?.release()
                throw TransportError(host: host.name, kind: .launchFailed, message: error.description)
            }
            if output.cancelled {
                await stopOnHost(invocation, host: host)
                throw Self.cancelled(host, after: "while the command ran; it was stopped on the host")
            }
            let reading = invocation.read(standardOutput: output.standardOutput, standardError: output.standardError,
                                          truncated: output.truncated, outputLimit: limit)
            let result = CommandResult(output, reading: reading)
            if output.status != 255 || output.timedOut || reading.reportedStatus == 255 {
                return result
            }
            let stderr = String(decoding: reading.standardError, as: UTF8.self)
            if reading.started {
                // Cut standard error hides whether the exit line came: the status stands.
                if reading.truncated { return result }
                throw TransportError(host: host.name, kind: .unreachable,
                                     message: "the connection to \(host.address) was lost while the command ran; it was not retried because it may have done part of its work: \(SSHFailure.lastLine(of: stderr))")
            }
            let failure = SSHFailure.classify(host: host, standardError: stderr, knownHostsFile: configuration.knownHostsFile.path)
            guard failure.isRetryable, attempt < configuration.connectRetry.maxAttempts else { throw failure }
            do {
                try await clock.sleep(for: configuration.connectRetry.delay(afterAttempt: attempt))
            } catch {
                throw Self.cancelled(host, after: "while waiting to retry the connection")
            }
            attempt += 1
        }
    }

    private static func cancelled(_ host: RemoteHost, after moment: String) -> TransportError {
        TransportError(host: host.name, kind: .cancelled, message: "cancelled \(moment)")
    }

    /// Sends the invocation's cleanup command. The calling task is cancelled, and
    /// ProcessRunner stops programs of cancelled tasks, so the cleanup runs in a task of its
    /// own; its timeout bounds the wait when the host no longer answers.
    private func stopOnHost(_ invocation: RemoteInvocation, host: RemoteHost) async {
        let request = ProcessRequest(
            executable: configuration.sshPath,
            arguments: SSHArguments.command(invocation.cleanupCommandLine, on: host, configuration: configuration),
            standardInput: Data(), timeout: Self.cleanupTimeout, killGrace: .seconds(1), outputLimit: 4096)
        await Task { _ = try? await ProcessRunner.run(request) }.value
    }

    /// Time allowed to the cleanup command after a cancellation.
    static let cleanupTimeout: Duration = .seconds(4)

    /// Whether a live master connection to `host` exists (no handshake is made).
    public func hasMasterConnection(to host: RemoteHost) async -> Bool {
        let request = ProcessRequest(executable: configuration.sshPath,
                                     arguments: SSHArguments.control("check", for: host, configuration: configuration),
                                     timeout: .seconds(5))
        return (try? await ProcessRunner.run(request).status) == 0
    }

    /// Ends the master connections of every host this transport talked to.
    public func close() async {
        let hosts = usedHosts.withLock { list in
            defer { list.removeAll() }
            return Array(list.values)
        }
        // In a task of its own, so a cancelled caller still closes the connections.
        await Task { [configuration] in
            await withTaskGroup(of: Void.self) { group in
                for host in hosts {
                    group.addTask {
                        // Over the control socket when the master answers there; else `ssh -O exit`.
                        if configuration.opensSessionsOnControlSocket,
                           SSHArguments.hasControlSocket(for: host, configuration: configuration),
                           await MuxSession.terminateMaster(socketPath: SSHArguments.controlSocket(for: host, configuration: configuration)) {
                            return
                        }
                        let request = ProcessRequest(executable: configuration.sshPath,
                                                     arguments: SSHArguments.control("exit", for: host, configuration: configuration),
                                                     timeout: .seconds(5))
                        _ = try? await ProcessRunner.run(request)
                    }
                }
            }
        }.value
    }

    private static func preparePrivateDirectory(_ url: URL) throws(TransportError) {
        let path = url.path
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw TransportError(host: "local", kind: .launchFailed,
                                 message: "cannot create control folder \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw TransportError(host: "local", kind: .launchFailed, message: "cannot inspect control folder \(path)")
        }
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        guard isDirectory, info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw TransportError(host: "local", kind: .launchFailed,
                                 message: "control folder \(path) must be a folder owned by this user with mode 0700; remove it or choose another")
        }
    }
}

extension CommandResult {
    /// A result from `ssh`, with the wrapper's lines removed and the caller's limit applied.
    init(_ output: ProcessOutput, reading: RemoteInvocation.Reading) {
        self.init(exitStatus: output.status,
                  standardOutput: String(decoding: reading.standardOutput, as: UTF8.self),
                  standardError: String(decoding: reading.standardError, as: UTF8.self),
                  duration: output.duration.seconds,
                  timedOut: output.timedOut || output.status == RemoteTimeout.timedOutStatus,
                  truncated: reading.truncated)
    }

    /// A result from a finished local program; exit 124 from the host's `timeout` counts as timed out.
    init(_ output: ProcessOutput) {
        self.init(exitStatus: output.status,
                  standardOutput: String(decoding: output.standardOutput, as: UTF8.self),
                  standardError: String(decoding: output.standardError, as: UTF8.self),
                  duration: output.duration.seconds,
                  timedOut: output.timedOut || output.status == RemoteTimeout.timedOutStatus,
                  truncated: output.truncated)
    }
}

/// Reads what `ssh` printed when it exited 255 and says what went wrong.
enum SSHFailure {
    /// The last line of what ssh printed that is not part of a warning banner.
    static func lastLine(of standardError: String) -> String {
        let lines = standardError.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        return lines.last(where: { !$0.hasPrefix("@") }) ?? "ssh exited 255 without a message"
    }

    static func classify(host: RemoteHost, standardError: String, knownHostsFile: String) -> TransportError {
        let lines = standardError.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let lastLine = lastLine(of: standardError)
        if standardError.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || standardError.contains("Host key verification failed") {
            var location = knownHostsFile
            if let offending = lines.first(where: { $0.contains("Offending") && $0.contains(" in ") }),
               let range = offending.range(of: " in ", options: .backwards) {
                location = String(offending[range.upperBound...])
            }
            return TransportError(host: host.name, kind: .hostKeyChanged,
                                  message: "the host key of \(host.address) has changed since it was recorded in \(location); refusing to connect. If the server was reinstalled on purpose, remove the old key with: ssh-keygen -R \(ShellQuote.quote(host.port.map { "[\(host.address)]:\($0)" } ?? host.address)) -f \(ShellQuote.quote(knownHostsFile))")
        }
        if standardError.contains("Permission denied") || standardError.contains("Too many authentication failures") {
            return TransportError(host: host.name, kind: .authenticationFailed,
                                  message: "\(host.address) refused our key for user \(host.user ?? "(default)"): \(lastLine)")
        }
        return TransportError(host: host.name, kind: .unreachable, message: "cannot connect to \(host.address): \(lastLine)")
    }
}
