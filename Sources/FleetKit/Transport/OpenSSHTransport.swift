import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs commands on hosts through the system's OpenSSH client, one multiplexed master
/// connection per host.
///
/// Every command goes to `ssh` as an argv array; the remote side is wrapped in `timeout`
/// and the local `ssh` gets SIGTERM then SIGKILL if it outlives the deadline. Exit 255
/// means the connection failed and becomes a ``TransportError``; connection failures
/// are retried with capped exponential backoff, failed commands never are.
public final class OpenSSHTransport: Transport {
    /// The settings in use.
    public let configuration: OpenSSHConfiguration
    private let clock: any FleetClock
    private let usedHosts = Locked<[String: RemoteHost]>([:])

    /// Creates the transport, making the control folder (0700) and the known_hosts
    /// file's folder when missing.
    ///
    /// - Throws: ``TransportError`` of kind `launchFailed` when the control folder is
    ///   not a private folder of this user (another user could hijack the sockets).
    public init(configuration: OpenSSHConfiguration, clock: any FleetClock = SystemClock()) throws(TransportError) {
        self.configuration = configuration
        self.clock = clock
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

    /// Runs `command` on `host`, retrying only when the connection fails.
    public func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        let user = host.user ?? configuration.defaultUser
        try SSHArguments.validate(host, user: user)
        usedHosts.withLock { $0[host.name] = host }
        let timeout = command.timeout ?? configuration.defaultCommandTimeout
        let arguments = SSHArguments.command(RemoteTimeout.wrap(command.script, timeout: timeout), on: host,
                                             configuration: configuration)
        // The host stops the command at `timeout`; locally we allow for the connection
        // and the host's own kill grace before giving up on ssh.
        let localTimeout = timeout + configuration.connectTimeout + .seconds(RemoteTimeout.killAfterSeconds + 5)
        let request = ProcessRequest(executable: configuration.sshPath, arguments: arguments,
                                     standardInput: command.standardInput ?? Data(), timeout: localTimeout,
                                     killGrace: configuration.killGrace, outputLimit: command.outputLimit)
        var attempt = 1
        while true {
            let output: ProcessOutput
            do {
                output = try await ProcessRunner.run(request)
            } catch {
                throw TransportError(host: host.name, kind: .launchFailed, message: error.description)
            }
            if output.status != 255 || output.timedOut {
                return CommandResult(output)
            }
            let failure = SSHFailure.classify(host: host, standardError: String(decoding: output.standardError, as: UTF8.self),
                                              knownHostsFile: configuration.knownHostsFile.path)
            guard failure.isRetryable, attempt < configuration.connectRetry.maxAttempts else { throw failure }
            try? await clock.sleep(for: configuration.connectRetry.delay(afterAttempt: attempt))
            attempt += 1
        }
    }

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
        await withTaskGroup(of: Void.self) { group in
            for host in hosts {
                group.addTask { [configuration] in
                    let request = ProcessRequest(executable: configuration.sshPath,
                                                 arguments: SSHArguments.control("exit", for: host, configuration: configuration),
                                                 timeout: .seconds(5))
                    _ = try? await ProcessRunner.run(request)
                }
            }
        }
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
    static func classify(host: RemoteHost, standardError: String, knownHostsFile: String) -> TransportError {
        let lines = standardError.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let lastLine = lines.last(where: { !$0.hasPrefix("@") }) ?? "ssh exited 255 without a message"
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
