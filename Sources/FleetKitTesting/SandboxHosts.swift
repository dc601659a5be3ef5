import FleetKit
import Foundation

/// Real OpenSSH hosts in network namespaces, started by `scripts/sandbox-hosts.sh` for
/// one suite and removed after it, also when a test fails.
public final class SandboxHosts: Sendable {
    /// The sandbox folder (`<dir>/hN` per host, the client key, known_hosts files).
    public let directory: URL
    /// The hosts, named h1…hN, user `fleettest`, port 22.
    public let hosts: [RemoteHost]
    /// The client key every host accepts.
    public let identityFile: String
    /// Default folder of ControlMaster sockets for this sandbox.
    public let controlDirectory: URL

    /// The sandbox of the running suite.
    @TaskLocal public static var current: SandboxHosts?

    /// The repository's root folder.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The script that creates and removes the hosts.
    public static var script: String { repositoryRoot.appendingPathComponent("scripts/sandbox-hosts.sh").path }

    private init(directory: URL, hosts: [RemoteHost]) {
        self.directory = directory
        self.hosts = hosts
        self.identityFile = directory.appendingPathComponent("id_ed25519").path
        self.controlDirectory = URL(fileURLWithPath: "/tmp/fkt-\(UInt32.random(in: 0 ... .max))")
    }

    /// Starts `count` hosts. Fails (never skips) when the machine lacks root, iproute2 or sshd.
    public static func start(count: Int) async throws -> SandboxHosts {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fleetkit-sbx-\(UUID().uuidString.prefix(8))")
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [script, "up", directory.path, String(count)], timeout: .seconds(120)))
        guard output.status == 0 else {
            throw SandboxError("scripts/sandbox-hosts.sh up failed (exit \(output.status)); the integration tests need root, iproute2 and openssh-server — run scripts/test.sh, which installs them:\n\(String(decoding: output.standardError, as: UTF8.self))")
        }
        var hosts: [RemoteHost] = []
        for index in 1...count {
            let address = try String(contentsOf: directory.appendingPathComponent("h\(index)/address"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            hosts.append(RemoteHost(name: "h\(index)", address: address, user: Self.loginUser, port: 22))
        }
        return SandboxHosts(directory: directory, hosts: hosts)
    }

    /// Removes every host and the sandbox folder.
    public func stop() async {
        _ = try? await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "down", directory.path], timeout: .seconds(60)))
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: controlDirectory)
    }

    /// Stops host `index`'s sshd: the host becomes unreachable.
    public func stopHost(_ index: Int) async throws {
        _ = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "stop-host", directory.path, String(index)], timeout: .seconds(30)))
    }

    /// Starts host `index`'s sshd again.
    public func startHost(_ index: Int) async throws {
        _ = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "start-host", directory.path, String(index)], timeout: .seconds(30)))
    }

    /// Runs a program inside host `index`'s network namespace (as root) and waits for it.
    public func execute(onHost index: Int, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> ProcessOutput {
        try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "exec", directory.path, String(index)] + arguments, timeout: timeout))
    }

    /// A transport with its own known_hosts file and control folder; the connect timeout
    /// leaves room for a test machine busy with many hosts at once.
    public func transport(knownHosts: String = "known_hosts", controlDirectory: URL? = nil, persist: Duration = .seconds(30),
                          connectTimeout: Duration = .seconds(15), retry: RetryPolicy = .none) throws -> OpenSSHTransport {
        let configuration = OpenSSHConfiguration(
            controlDirectory: controlDirectory ?? self.controlDirectory,
            knownHostsFile: directory.appendingPathComponent(knownHosts),
            controlPersist: persist, connectTimeout: connectTimeout,
            defaultIdentityFile: identityFile, readsUserConfig: false, connectRetry: retry)
        return try OpenSSHTransport(configuration: configuration)
    }

    /// How many SSH logins host `index` has accepted so far (sshd's own log).
    public func acceptedLogins(_ index: Int) throws -> Int {
        let log = try String(contentsOf: directory.appendingPathComponent("h\(index)/sshd.log"), encoding: .utf8)
        return log.components(separatedBy: "Accepted publickey").count - 1
    }

    /// Host `index`'s folder: `bin/` (first on the PATH of its SSH sessions), `address`, logs.
    public func hostDirectory(_ index: Int) -> URL { directory.appendingPathComponent("h\(index)") }
}

/// A sandbox that could not be used, with the reason.
public struct SandboxError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
