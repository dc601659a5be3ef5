import Foundation
import Testing
@testable import FleetKit

/// Real OpenSSH hosts in network namespaces, started by `scripts/sandbox-hosts.sh` for
/// one suite and removed after it, also when a test fails.
final class SandboxHosts: Sendable {
    let directory: URL
    let hosts: [RemoteHost]
    let identityFile: String
    let controlDirectory: URL

    @TaskLocal static var current: SandboxHosts?

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var script: String { repositoryRoot.appendingPathComponent("scripts/sandbox-hosts.sh").path }

    private init(directory: URL, hosts: [RemoteHost]) {
        self.directory = directory
        self.hosts = hosts
        self.identityFile = directory.appendingPathComponent("id_ed25519").path
        self.controlDirectory = URL(fileURLWithPath: "/tmp/fkt-\(UInt32.random(in: 0 ... .max))")
    }

    /// Starts `count` hosts. Fails (never skips) when the machine lacks root, iproute2 or sshd.
    static func start(count: Int) async throws -> SandboxHosts {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fleetkit-sbx-\(UUID().uuidString.prefix(8))")
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [script, "up", directory.path, String(count)], timeout: .seconds(120)))
        guard output.status == 0 else {
            throw SandboxError("scripts/sandbox-hosts.sh up failed (exit \(output.status)); the integration tests need root, iproute2 and openssh-server — run scripts/test.sh, which installs them:\n\(String(decoding: output.standardError, as: UTF8.self))")
        }
        var hosts: [RemoteHost] = []
        for index in 1...count {
            let address = try String(contentsOf: directory.appendingPathComponent("h\(index)/address"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            hosts.append(RemoteHost(name: "h\(index)", address: address, user: "fleettest", port: 22))
        }
        return SandboxHosts(directory: directory, hosts: hosts)
    }

    func stop() async {
        _ = try? await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "down", directory.path], timeout: .seconds(60)))
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: controlDirectory)
    }

    func stopHost(_ index: Int) async throws {
        _ = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "stop-host", directory.path, String(index)], timeout: .seconds(30)))
    }

    func startHost(_ index: Int) async throws {
        _ = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.script, "start-host", directory.path, String(index)], timeout: .seconds(30)))
    }

    /// A transport with its own known_hosts file and control folder.
    func transport(knownHosts: String = "known_hosts", controlDirectory: URL? = nil, persist: Duration = .seconds(30),
                   connectTimeout: Duration = .seconds(3), retry: RetryPolicy = .none) throws -> OpenSSHTransport {
        let configuration = OpenSSHConfiguration(
            controlDirectory: controlDirectory ?? self.controlDirectory,
            knownHostsFile: directory.appendingPathComponent(knownHosts),
            controlPersist: persist, connectTimeout: connectTimeout,
            defaultIdentityFile: identityFile, readsUserConfig: false, connectRetry: retry)
        return try OpenSSHTransport(configuration: configuration)
    }

    /// How many SSH logins host `index` has accepted so far (sshd's own log).
    func acceptedLogins(_ index: Int) throws -> Int {
        let log = try String(contentsOf: directory.appendingPathComponent("h\(index)/sshd.log"), encoding: .utf8)
        return log.components(separatedBy: "Accepted publickey").count - 1
    }

    func hostDirectory(_ index: Int) -> URL { directory.appendingPathComponent("h\(index)") }
}

struct SandboxError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts sandbox hosts around a suite and removes them after it.
struct WithSandboxHosts: SuiteTrait, TestScoping {
    let count: Int
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let sandbox = try await SandboxHosts.start(count: count)
        do {
            try await SandboxHosts.$current.withValue(sandbox) { try await function() }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}

extension Trait where Self == WithSandboxHosts {
    /// Real SSH hosts for the suite.
    static func sandboxHosts(_ count: Int) -> WithSandboxHosts { WithSandboxHosts(count: count) }
}

func currentSandbox() throws -> SandboxHosts {
    guard let sandbox = SandboxHosts.current else { throw SandboxError("no sandbox: the suite needs .sandboxHosts(N)") }
    return sandbox
}
