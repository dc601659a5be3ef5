import Foundation
import Testing
import FleetTestSupport
import FleetKitTesting
@testable import FleetKit

/// The root words over real SSH. The sandbox's login user is not root, and its hosts refuse
/// root logins (`PermitRootLogin no`, and root's home is not kept apart per host), so a
/// root login is shown with ``LocalTransport`` on this machine, where the tests run as root.
/// Host 1 has a passwordless sudo (a stand-in on its PATH that records its arguments and runs
/// the program as the login user: the sandbox cannot grant real root); host 2's sudo wants a
/// password.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(2))
struct PrivilegeOverSSHTests {
    static func installSudo(_ sandbox: SandboxHosts) throws {
        let scripts = [
            1: "#!/bin/sh\necho \"sudo $*\" >>\"$HOME/sudo.log\"\nwhile [ \"${1:-}\" = -n ] || [ \"${1:-}\" = -E ]; do shift; done\nexec \"$@\"\n",
            2: "#!/bin/sh\necho \"sudo $*\" >>\"$HOME/sudo.log\"\necho 'sudo: a password is required' >&2\nexit 1\n",
        ]
        for (index, text) in scripts {
            let file = sandbox.hostDirectory(index).appendingPathComponent("bin/sudo")
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
    }

    /// Runs `body` with a sandbox transport and closes it before returning, so the next test
    /// never meets a master connection that is being closed.
    static func withTransport<T>(_ sandbox: SandboxHosts, _ body: (OpenSSHTransport) async throws -> T) async throws -> T {
        let transport = try sandbox.transport()
        do {
            let value = try await body(transport)
            await transport.close()
            return value
        } catch {
            await transport.close()
            throw error
        }
    }

    @Test func detectUsesSudoForALoginThatIsNotRoot() async throws {
        let sandbox = try currentSandbox()
        try Self.installSudo(sandbox)
        try await Self.withTransport(sandbox) { transport in
            let host = sandbox.hosts[0]
            let result = try await transport.run(RemoteCommand("rm -f ~/sudo.log; \(Privilege.asRoot) sh -c 'echo ran as root'"), on: host)
            #expect(result.exitStatus == 0 && result.standardOutput == "ran as root\n", "\(result.standardError)")
            let log = try await transport.run(RemoteCommand("cat ~/sudo.log"), on: host)
            #expect(log.standardOutput == "sudo -n sh -c echo ran as root\n")
            let plain = try await transport.run(RemoteCommand("type as_root >/dev/null 2>&1 && echo defined || echo plain"), on: host)
            #expect(plain.standardOutput == "defined\n", "the word in the text defines it")
            let untouched = try await transport.run(RemoteCommand("type fleetkit_sudo >/dev/null 2>&1 && echo defined || echo plain"), on: host)
            #expect(untouched.standardOutput == "plain\n", "a command without the words is sent as written")
        }
    }

    @Test func aSudoThatWantsAPasswordIsNamedWithTheHost() async throws {
        let sandbox = try currentSandbox()
        try Self.installSudo(sandbox)
        try await Self.withTransport(sandbox) { transport in
            let host = sandbox.hosts[1]
            let result = try await transport.run(RemoteCommand("\(Privilege.asRoot) docker ps"), on: host)
            #expect(result.exitStatus == Privilege.refusedStatus)
            #expect(result.standardError.contains("host \(host.name): root is needed for `docker` but sudo -n needs a password on \(host.name)"),
                    "\(result.standardError)")
        }
    }

    @Test func neverFromTheInventoryRefusesWithTheHostNamed() async throws {
        let sandbox = try currentSandbox()
        try Self.installSudo(sandbox)
        let first = sandbox.hosts[0]
        let text = "name,ip,user,become\n\(first.name),\(first.address),\(first.user ?? ""),never\n"
        let host = try #require(try InventoryLoader.parse(text, file: "servers.csv").hosts.first)
        #expect(host.privilegeEscalation == .never)
        try await Self.withTransport(sandbox) { transport in
            let result = try await transport.run(RemoteCommand("rm -f ~/sudo.log; \(Privilege.asRoot) docker ps || exit; echo not reached"), on: host)
            #expect(result.exitStatus == 126)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError == "host \(first.name): root is needed for `docker` but this host may not become root (become=never)\n")
            let log = try await transport.run(RemoteCommand("cat ~/sudo.log 2>/dev/null || echo none"), on: host)
            #expect(log.standardOutput == "none\n", "sudo was never asked")
        }
    }

    @Test func rootModeRefusesALoginThatIsNotRoot() async throws {
        let sandbox = try currentSandbox()
        var host = sandbox.hosts[0]
        host.privilegeEscalation = .root
        try await Self.withTransport(sandbox) { transport in
            let result = try await transport.run(RemoteCommand("\(Privilege.asRoot) id -u"), on: host)
            #expect(result.exitStatus == 126)
            #expect(result.standardError == "host \(host.name): root is needed for `id` but the login user is not root (become=root)\n")
        }
    }

    @Test func aRootLoginRunsDirectly() async throws {
        try #require(getuid() == 0, "the sandbox suites run as root")
        let host = RemoteHost(name: "this machine", address: "127.0.0.1")
        let result = try await LocalTransport().run(RemoteCommand("PATH=/usr/bin:/bin; \(Privilege.asRoot) id -u; \(Privilege.canBecomeRoot) && echo can"), on: host)
        #expect(result.standardOutput == "0\ncan\n", "\(result.standardError)")
    }
}
