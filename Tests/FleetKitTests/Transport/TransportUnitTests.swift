import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct TransportUnitTests {
    let configuration = OpenSSHConfiguration(
        controlDirectory: URL(fileURLWithPath: "/tmp/fk-unit"), knownHostsFile: URL(fileURLWithPath: "/tmp/fk-unit-kh/known_hosts"),
        controlPersist: .seconds(60), defaultIdentityFile: "/keys/id", readsUserConfig: false)

    @Test func sshArgumentsEndWithSeparatorHostAndOneCommand() {
        let host = RemoteHost(name: "a", address: "10.1.2.3", user: "deploy", port: 2222)
        let args = SSHArguments.command("sh -c 'true'", on: host, configuration: configuration)
        #expect(Array(args.suffix(3)) == ["--", "10.1.2.3", "sh -c 'true'"])
        let joined = args.joined(separator: " ")
        for option in ["BatchMode=yes", "ControlMaster=auto", "ControlPath=/tmp/fk-unit/", "ControlPersist=60",
                       "StrictHostKeyChecking=accept-new", "UserKnownHostsFile=/tmp/fk-unit-kh/known_hosts",
                       "ServerAliveInterval=15", "ConnectTimeout=10", "-p 2222", "-l deploy", "-i /keys/id", "-F /dev/null"] {
            #expect(joined.contains(option), "missing \(option)")
        }
    }

    @Test func controlSocketsAreShortAndOnePerUserAddressAndPort() {
        let host = RemoteHost(name: "a", address: "10.1.2.3", user: "deploy", port: 2222)
        let socket = SSHArguments.controlSocket(for: host, configuration: configuration)
        #expect(socket.hasPrefix("/tmp/fk-unit/") && socket.count == "/tmp/fk-unit/".count + 40)
        #expect(socket == SSHArguments.controlSocket(for: RemoteHost(name: "other name", address: "10.1.2.3", user: "deploy", port: 2222),
                                                     configuration: configuration))
        for other in [RemoteHost(name: "a", address: "10.1.2.3", user: "root", port: 2222),
                      RemoteHost(name: "a", address: "10.1.2.3", user: "deploy", port: 22),
                      RemoteHost(name: "a", address: "10.1.2.4", user: "deploy", port: 2222)] {
            #expect(SSHArguments.controlSocket(for: other, configuration: configuration) != socket)
        }
        #expect(SSHArguments.command("true", on: host, configuration: configuration).contains("ControlPath=\(socket)"))
    }

    @Test func persistZeroStillKeepsOneMasterForTheRun() {
        var once = configuration
        once.controlPersist = .zero
        let args = SSHArguments.command("true", on: RemoteHost(name: "a", address: "10.1.2.3"), configuration: once)
        #expect(args.contains("ControlPersist=\(Int(OpenSSHConfiguration.idleMasterLimit.seconds))"))
        #expect(!args.contains("ControlPersist=no"), "without a persisting master every command would pay a handshake")
    }

    @Test func aConnectionStartLimitBelowOneIsRefused() {
        var zero = configuration
        zero.connectionStartLimit = 0
        #expect(throws: TransportError.self) { try OpenSSHTransport(configuration: zero) }
    }

    @Test func theFasterKeyExchangeIsOnlyAnOptIn() {
        let args = SSHArguments.command("true", on: RemoteHost(name: "a", address: "10.1.2.3"), configuration: configuration)
        #expect(!args.contains { $0.hasPrefix("KexAlgorithms") }, "OpenSSH's default key exchange stays the default")
        var fast = configuration
        fast.extraOptions = ["KexAlgorithms=curve25519-sha256"]
        #expect(SSHArguments.command("true", on: RemoteHost(name: "a", address: "10.1.2.3"), configuration: fast).contains("KexAlgorithms=curve25519-sha256"))
    }

    @Test func hostsAndUsersThatLookLikeOptionsAreRejected() async {
        for host in [RemoteHost(name: "x", address: "-oProxyCommand=id"), RemoteHost(name: "y", address: "a b"),
                     RemoteHost(name: "z", address: "10.0.0.1", user: "-l"), RemoteHost(name: "w", address: "host\nname")] {
            #expect(throws: TransportError.self) { try SSHArguments.validate(host, user: host.user) }
        }
        #expect(throws: Never.self) { try SSHArguments.validate(RemoteHost(name: "ok", address: "fe80::1"), user: "deploy") }
    }

    @Test func remoteTimeoutWrapsTheQuotedScript() {
        #expect(RemoteTimeout.wrap("echo 'hi'", timeout: .seconds(30)) == "timeout -k 5 30 sh -c 'echo '\\''hi'\\'''")
        #expect(RemoteTimeout.wrap("true", timeout: nil) == "sh -c true")
        #expect(RemoteTimeout.wrap("true", timeout: .milliseconds(200)) == "timeout -k 5 1 sh -c true")
    }

    @Test func exit255IsClassified() {
        let host = RemoteHost(name: "h", address: "10.0.0.9", port: 22)
        let changed = SSHFailure.classify(host: host, standardError: """
            @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
            @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
            Offending ED25519 key in /home/op/.config/fleet/known_hosts:3
            Host key verification failed.
            """, knownHostsFile: "/home/op/.config/fleet/known_hosts")
        #expect(changed.kind == .hostKeyChanged)
        #expect(changed.message.contains("/home/op/.config/fleet/known_hosts:3"))
        #expect(changed.message.contains("ssh-keygen -R '[10.0.0.9]:22'"))
        #expect(!changed.isRetryable)
        let denied = SSHFailure.classify(host: host, standardError: "fleettest@10.0.0.9: Permission denied (publickey).\n", knownHostsFile: "k")
        #expect(denied.kind == .authenticationFailed)
        let refused = SSHFailure.classify(host: host, standardError: "ssh: connect to host 10.0.0.9 port 22: Connection refused\n", knownHostsFile: "k")
        #expect(refused.kind == .unreachable)
        #expect(refused.isRetryable)
        #expect(refused.description == "h: cannot connect to 10.0.0.9: ssh: connect to host 10.0.0.9 port 22: Connection refused")
    }

    @Test func retryPolicyBacksOffAndCaps() {
        let policy = RetryPolicy(maxAttempts: 6, initialDelay: .seconds(1), maxDelay: .seconds(5))
        #expect((1...5).map { policy.delay(afterAttempt: $0) } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5)])
        let unbounded = RetryPolicy(maxAttempts: 1000, initialDelay: .seconds(1), maxDelay: .seconds(Int64.max))
        #expect(unbounded.delay(afterAttempt: 1000) == .seconds(1 << 31))
    }

    @Test func connectionFailuresAreRetriedCommandFailuresAreNot() async throws {
        // A stand-in for ssh that counts its calls and fails the way ssh does.
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fk-ssh-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fakeSSH = folder.appendingPathComponent("ssh")
        let counter = folder.appendingPathComponent("calls")
        try """
            #!/bin/sh
            echo x >> \(counter.path)
            for last; do :; done
            case "$last" in *refuse*) echo "ssh: connect to host h port 22: Connection refused" >&2; exit 255;;
              *) exit 3;; esac
            """.write(to: fakeSSH, atomically: true, encoding: .utf8)
        chmod(fakeSSH.path, 0o755)
        let clock = RecordingClock()
        var config = OpenSSHConfiguration(controlDirectory: folder.appendingPathComponent("cm"), knownHostsFile: folder.appendingPathComponent("kh/known_hosts"),
                                          sshPath: fakeSSH.path, connectRetry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(8)))
        config.readsUserConfig = false
        let transport = try OpenSSHTransport(configuration: config, clock: clock)
        let host = RemoteHost(name: "h", address: "10.0.0.1")
        let refused = await #expect(throws: TransportError.self) { try await transport.run(RemoteCommand("refuse"), on: host) }
        #expect(refused?.kind == .unreachable, "\(String(describing: refused))")
        #expect(try String(contentsOf: counter, encoding: .utf8).split(separator: "\n").count == 3)
        #expect(clock.sleeps.withLock { $0 } == [.seconds(1), .seconds(2)])
        let failed = try await transport.run(RemoteCommand("fail"), on: host)
        #expect(failed.exitStatus == 3)
        #expect(try String(contentsOf: counter, encoding: .utf8).split(separator: "\n").count == 4)
    }

    @Test func checkPlanIgnoresForgedLines() {
        let script = CheckPlan.script(for: [(0, "test -e /x"), (3, "echo 'fk1 3 0'")], nonce: "fkabc")
        #expect(script == "fk_dir=$PWD\n{\ntest -e /x\n} </dev/null >/dev/null 2>&1; fk_status=$?; cd \"$fk_dir\" 2>/dev/null; set +efu; echo \"fkabc 0 $fk_status\"\n"
                + "{\necho 'fk1 3 0'\n} </dev/null >/dev/null 2>&1; fk_status=$?; cd \"$fk_dir\" 2>/dev/null; set +efu; echo \"fkabc 3 $fk_status\"")
        let parsed = CheckPlan.parse("fk1 3 0\nfkabc 0 1\nfkabc 3 0\ngarbage\n", nonce: "fkabc")
        #expect(parsed == [0: 1, 3: 0])
    }

    /// Runs a check plan in `sh` here and reads its statuses back.
    func statuses(of checks: [(index: Int, script: String)], in folder: URL) async throws -> [Int: Int32] {
        let nonce = CheckPlan.makeNonce()
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", "cd \(ShellQuote.quote(folder.path)) && " + CheckPlan.script(for: checks, nonce: nonce)],
                                                                timeout: .seconds(60)))
        return CheckPlan.parse(String(decoding: output.standardOutput, as: UTF8.self), nonce: nonce)
    }

    @Test func checksOfOnePlanDoNotChangeEachOthersAnswers() async throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fk-plan-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "x".write(to: folder.appendingPathComponent("marker"), atomically: true, encoding: .utf8)
        let answers = try await statuses(of: [
            (0, "cd sub && test ! -e marker"),          // moves into sub/: the next check still starts in the folder
            (1, "test -e marker"),
            (2, "set -u; true"),                           // -u is on only for this check: the next would end the shell
            (3, "test -z \"$UNSET_HERE\""),
            (4, "set -f; test -e mark*"),                  // -f (no globbing) is on only for this check
            (5, "test -e mark*"),
            (6, "echo forged 6 0; cat; false"),            // stdout and stdin are not the plan's
            (7, "set -e; false; echo never"),              // ends the plan: no answer from here on
            (8, "true"),
        ], in: folder)
        #expect(answers[0] == 0 && answers[1] == 0, "\(answers)")
        #expect(answers[2] == 0 && answers[3] == 0, "\(answers)")
        #expect(answers[4] == 1 && answers[5] == 0, "\(answers)")
        #expect(answers[6] == 1, "\(answers)")
        #expect(answers[7] == nil && answers[8] == nil, "a check that ends the shell leaves its own and later checks to be run one by one: \(answers)")
        let exited = try await statuses(of: [(0, "exit 0"), (1, "true")], in: folder)
        #expect(exited.isEmpty, "\(exited)")
        let broken = try await statuses(of: [(0, "true"), (1, "if then fi")], in: folder)
        #expect(broken[1] == nil, "a syntax error ends the plan at the latest where it stands: \(broken)")
    }

    @Test func controlFolderMustBePrivate() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fk-open-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: TransportError.self) {
            _ = try OpenSSHTransport(configuration: OpenSSHConfiguration(controlDirectory: folder, knownHostsFile: folder.appendingPathComponent("kh")))
        }
    }
}
