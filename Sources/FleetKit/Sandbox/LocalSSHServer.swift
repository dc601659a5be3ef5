import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A throwaway OpenSSH server on 127.0.0.1 for demos and tests: its own host key, its
/// own client key, its own config, logging in as the current user. Stop it with ``stop()``.
///
/// `fleet demo` applies its playbook to one, so it lives in FleetKit rather than in
/// FleetKitTesting (which re-exports it for tests): a tool that starts a demo host need not
/// link the test helpers. It needs OpenSSH's `sshd` and `ssh-keygen` on this machine and
/// listens on a free loopback port (``LoopbackPort/free()``); nothing leaves 127.0.0.1.
public final class LocalSSHServer: Sendable {
    /// The server as a host to run playbooks on.
    public let host: RemoteHost
    /// The client key that logs in.
    public let identityFile: URL
    /// A known_hosts file for this server only.
    public let knownHostsFile: URL
    /// The folder holding keys, config and the server log.
    public let directory: URL
    private let stopped = Locked(false)

    /// Something needed to start the server is missing or failed.
    public struct StartError: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to do.
        public let description: String
    }

    private init(host: RemoteHost, directory: URL) {
        self.host = host
        self.directory = directory
        self.identityFile = directory.appendingPathComponent("client_key")
        self.knownHostsFile = directory.appendingPathComponent("known_hosts")
    }

    /// Starts a server in `directory` (created if missing) on a free loopback port.
    public static func start(in directory: URL, sshdPath: String = "/usr/sbin/sshd", keygenPath: String = "/usr/bin/ssh-keygen") async throws -> LocalSSHServer {
        guard FileManager.default.isExecutableFile(atPath: sshdPath) else {
            throw StartError(description: "\(sshdPath) is missing; install the openssh-server package (apt-get install openssh-server)")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        guard let account = getpwuid(getuid()) else { throw StartError(description: "cannot find the current user") }
        let user = String(cString: account.pointee.pw_name)
        for (name, comment) in [("host_key", "fleetkit-sandbox-host"), ("client_key", "fleetkit-sandbox-client")] {
            let key = directory.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: key)
            try? FileManager.default.removeItem(at: key.appendingPathExtension("pub"))
            let made = try await ProcessRunner.run(ProcessRequest(executable: keygenPath, arguments: ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key.path]))
            guard made.status == 0 else { throw StartError(description: "ssh-keygen failed: \(String(decoding: made.standardError, as: UTF8.self))") }
        }
        try FileManager.default.copyItem(at: directory.appendingPathComponent("client_key.pub"), to: directory.appendingPathComponent("authorized_keys"))
        let port: Int
        do {
            port = try LoopbackPort.free()
        } catch {
            throw StartError(description: error.description)
        }
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory.path)/host_key
            PidFile \(directory.path)/sshd.pid
            AuthorizedKeysFile \(directory.path)/authorized_keys
            AllowUsers \(user)
            PermitRootLogin prohibit-password
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            MaxSessions 50
            Subsystem sftp /usr/lib/openssh/sftp-server

            """
        try config.write(to: directory.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
        if getuid() == 0 { _ = mkdir("/run/sshd", 0o755) }  // sshd as root needs its privilege-separation folder

        // sshd detaches itself (no -D), so no process of ours stays tied to it: stopping
        // goes through its pid file, and a crashed tool leaves no child behind.
        let logURL = directory.appendingPathComponent("sshd.log")
        let launched = try await ProcessRunner.run(ProcessRequest(
            executable: sshdPath, arguments: ["-f", directory.appendingPathComponent("sshd_config").path, "-E", logURL.path],
            timeout: .seconds(10)))
        guard launched.status == 0 else {
            throw StartError(description: "sshd failed to start: \(String(decoding: launched.standardError, as: UTF8.self))")
        }
        let host = RemoteHost(name: "sandbox", address: "127.0.0.1", user: user, port: port,
                              identityFile: directory.appendingPathComponent("client_key").path)
        let server = LocalSSHServer(host: host, directory: directory)
        for _ in 0..<100 {
            if LoopbackPort.accepts(port) { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        server.stop()
        let serverLog = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        throw StartError(description: "sshd did not start on 127.0.0.1:\(port): \(serverLog.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    /// Stops the server and the sessions it started.
    public func stop() {
        stopped.withLock { done in
            guard !done else { return }
            done = true
            let pidFile = directory.appendingPathComponent("sshd.pid")
            guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else { return }
            for child in ProcessTree.descendants(of: pid) { kill(child, SIGTERM) }
            kill(pid, SIGTERM)
        }
    }

    deinit { stop() }
}
