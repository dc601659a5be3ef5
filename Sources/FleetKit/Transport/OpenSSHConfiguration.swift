import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of ``OpenSSHTransport``: where its sockets and host keys live and how it connects.
public struct OpenSSHConfiguration: Sendable {
    /// Path of the `ssh` program.
    public var sshPath: String
    /// Folder (mode 0700, owned by this user) holding one ControlMaster socket per host,
    /// named by a hash of user, address and port. Keep its path short: sockets must fit
    /// in about 100 bytes.
    public var controlDirectory: URL
    /// The known_hosts file this tool owns; new hosts are added, changed keys refused.
    public var knownHostsFile: URL
    /// How long an idle master connection stays open after the last command, so an
    /// immediate re-run pays no handshake. Zero keeps it only while the run uses it: every
    /// command of a host still shares one connection, ``OpenSSHTransport/close()`` ends
    /// them, and a master left behind ends after ``idleMasterLimit`` without a command.
    public var controlPersist: Duration
    /// Time allowed for TCP connect and the SSH handshake.
    public var connectTimeout: Duration
    /// Interval of keep-alive probes; three unanswered ones end the connection.
    public var serverAliveInterval: Duration
    /// Time allowed to a command when the caller gives none.
    public var defaultCommandTimeout: Duration
    /// Pause between the local SIGTERM and SIGKILL of a stuck `ssh`.
    public var killGrace: Duration
    /// User when the host has none; `nil` lets ssh decide.
    public var defaultUser: String?
    /// Port when the host has none; `nil` lets ssh decide (22).
    public var defaultPort: Int?
    /// Private key when the host has none; `nil` lets ssh use its defaults and agent.
    public var defaultIdentityFile: String?
    /// Whether to read the user's `~/.ssh/config`; `false` passes `-F /dev/null`.
    public var readsUserConfig: Bool
    /// Retries of connection failures (never of failed commands).
    public var connectRetry: RetryPolicy
    /// Extra `-o` options, `Key=Value`. `KexAlgorithms=curve25519-sha256` is the
    /// documented opt-in for a cheaper key exchange: about a tenth of the client CPU of
    /// OpenSSH's default post-quantum exchange per connection, without its protection of
    /// recorded sessions against a future quantum computer. The default stays OpenSSH's.
    public var extraOptions: [String]
    /// Most `ssh` processes making a new connection at once:
    /// bounds the local CPU spent on key exchanges at one moment and the unauthenticated
    /// connections a shared sshd sees (its `MaxStartups`). At least 1; ``OpenSSHTransport``
    /// refuses anything lower.
    public var connectionStartLimit: Int
    /// How commands get root on hosts whose inventory row sets no `become` (see
    /// ``Privilege``); ``PrivilegeEscalation/detect`` by default.
    public var privilegeEscalation: PrivilegeEscalation
    /// Whether commands after a host's first one are sessions asked for on its master
    /// connection's control socket from this process (no local `ssh` each; see
    /// ``OpenSSHTransport``). `false` starts `ssh` for every command, as when the master
    /// cannot take sessions directly.
    public var opensSessionsOnControlSocket: Bool

    /// How long a master stays open without a command when ``controlPersist`` is zero.
    public static let idleMasterLimit: Duration = .seconds(10)

    /// Creates a configuration with the defaults operators expect: 60 s persist, 10 s
    /// connect timeout, 15 s keep-alive, 10 min command timeout, 3 connection attempts,
    /// 32 connections starting at once, root detected per host.
    public init(
        controlDirectory: URL = OpenSSHConfiguration.defaultControlDirectory,
        knownHostsFile: URL = OpenSSHConfiguration.defaultKnownHostsFile,
        sshPath: String = "/usr/bin/ssh",
        controlPersist: Duration = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        serverAliveInterval: Duration = .seconds(15),
        defaultCommandTimeout: Duration = .seconds(600),
        killGrace: Duration = .seconds(3),
        defaultUser: String? = nil,
        defaultPort: Int? = nil,
        defaultIdentityFile: String? = nil,
        readsUserConfig: Bool = true,
        connectRetry: RetryPolicy = RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(8)),
        extraOptions: [String] = [],
        connectionStartLimit: Int = 32,
        privilegeEscalation: PrivilegeEscalation = .detect,
        opensSessionsOnControlSocket: Bool = true
    ) {
        self.sshPath = sshPath
        self.controlDirectory = controlDirectory
        self.knownHostsFile = knownHostsFile
        self.controlPersist = controlPersist
        self.connectTimeout = connectTimeout
        self.serverAliveInterval = serverAliveInterval
        self.defaultCommandTimeout = defaultCommandTimeout
        self.killGrace = killGrace
        self.defaultUser = defaultUser
        self.defaultPort = defaultPort
        self.defaultIdentityFile = defaultIdentityFile
        self.readsUserConfig = readsUserConfig
        self.connectRetry = connectRetry
        self.extraOptions = extraOptions
        self.connectionStartLimit = connectionStartLimit
        self.privilegeEscalation = privilegeEscalation
        self.opensSessionsOnControlSocket = opensSessionsOnControlSocket
    }

    /// The known_hosts file FleetKit tools share: `~/.config/fleetkit/known_hosts` of the
    /// current user. Kept apart from `~/.ssh/known_hosts` so a fleet's keys never mix with
    /// the user's own.
    public static var defaultKnownHostsFile: URL {
        defaultKnownHostsFile(homeDirectory: FileManager.default.homeDirectoryForCurrentUser)
    }

    /// The shared known_hosts file under `homeDirectory` (tools pass `$HOME`).
    public static func defaultKnownHostsFile(homeDirectory: URL) -> URL {
        homeDirectory.appendingPathComponent(".config/fleetkit/known_hosts")
    }

    /// A short control folder for this user: `/tmp/fleetkit-<uid>`.
    public static var defaultControlDirectory: URL {
        URL(fileURLWithPath: "/tmp/fleetkit-\(getuid())")
    }
}

/// Builds the argv of `ssh` for one host; kept apart from process handling so it can be
/// checked in unit tests.
enum SSHArguments {
    /// Characters that never belong in a host address or user name handed to ssh.
    private static let forbidden = CharacterSet.whitespacesAndNewlines.union(.controlCharacters)

    /// Rejects values ssh would read as options or that carry spaces or control characters.
    static func validate(_ host: RemoteHost, user: String?) throws(TransportError) {
        func bad(_ value: String) -> Bool {
            value.isEmpty || value.hasPrefix("-") || value.rangeOfCharacter(from: forbidden) != nil
        }
        if bad(host.address) {
            throw TransportError(host: host.name, kind: .invalidHost,
                                 message: "address '\(host.address)' cannot be used: it is empty, starts with '-' or contains spaces or control characters")
        }
        if let user, bad(user) {
            throw TransportError(host: host.name, kind: .invalidHost,
                                 message: "user '\(user)' cannot be used: it is empty, starts with '-' or contains spaces or control characters")
        }
    }

    /// Options shared by commands and control requests.
    static func common(for host: RemoteHost, configuration c: OpenSSHConfiguration) -> [String] {
        var args: [String] = []
        if !c.readsUserConfig { args += ["-F", "/dev/null"] }
        let persist = Int(c.controlPersist.seconds.rounded())
        let idle = Int(OpenSSHConfiguration.idleMasterLimit.seconds)
        args += [
            "-o", "BatchMode=yes",
            "-o", "ControlMaster=auto",
            "-o", "ControlPath=\(controlSocket(for: host, configuration: c))",
            "-o", "ControlPersist=\(persist > 0 ? persist : idle)",
            "-o", "ConnectTimeout=\(max(1, Int(c.connectTimeout.seconds.rounded(.up))))",
            "-o", "ServerAliveInterval=\(max(1, Int(c.serverAliveInterval.seconds.rounded(.up))))",
            "-o", "ServerAliveCountMax=3",
            "-o", "StrictHostKeyChecking=accept-new",
            "-o", "UserKnownHostsFile=\(c.knownHostsFile.path)",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR",
        ]
        for option in c.extraOptions { args += ["-o", option] }
        if let identity = host.identityFile ?? c.defaultIdentityFile {
            args += ["-i", identity, "-o", "IdentitiesOnly=yes"]
        }
        if let port = host.port ?? c.defaultPort { args += ["-p", String(port)] }
        if let user = host.user ?? c.defaultUser { args += ["-l", user] }
        return args
    }

    /// The host's ControlMaster socket: the control folder and 40 hex digits of a SHA-256
    /// over user, address and port, so the transport can tell whether a master is open
    /// without asking ssh.
    static func controlSocket(for host: RemoteHost, configuration c: OpenSSHConfiguration) -> String {
        let user = host.user ?? c.defaultUser ?? ""
        let port = host.port ?? c.defaultPort ?? 22
        let digest = SHA256Digest.hash(Array("\(user)@\(host.address):\(port)".utf8))
        let name = Hex.encode(digest.prefix(20), prefix: false)
        return c.controlDirectory.path + "/" + name
    }

    /// Whether a master socket for `host` exists (it may be stale: ssh then replaces it).
    static func hasControlSocket(for host: RemoteHost, configuration: OpenSSHConfiguration) -> Bool {
        var info = stat()
        return lstat(controlSocket(for: host, configuration: configuration), &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }

    /// Full argv (after argv[0]) to run `remoteCommand` on `host`.
    static func command(_ remoteCommand: String, on host: RemoteHost, configuration: OpenSSHConfiguration) -> [String] {
        common(for: host, configuration: configuration) + ["--", host.address, remoteCommand]
    }

    /// Full argv to send a control request (`check`, `exit`) to the host's master.
    static func control(_ request: String, for host: RemoteHost, configuration: OpenSSHConfiguration) -> [String] {
        common(for: host, configuration: configuration) + ["-O", request, "--", host.address]
    }
}
