import Foundation

/// The options every fleet command shares (`--forks`, `--limit`, `--timeout`, `--user`,
/// `--port`, `--identity`, `--json`, `--verbose` …), turned into transport and run settings.
public struct FleetOptions: Sendable {
    /// Hosts worked on at once.
    public var forks: Int
    /// Only hosts matching this pattern.
    public var limit: HostPattern?
    /// Limit of each command.
    public var timeout: Duration
    /// User for hosts whose inventory row has none.
    public var user: String?
    /// Port for hosts whose inventory row has none.
    public var port: Int?
    /// Private key for hosts whose inventory row has none.
    public var identityFile: String?
    /// Print machine-readable JSON instead of text.
    public var json: Bool
    /// Show DEBUG and OUTPUT lines on the console.
    public var verbose: Bool
    /// Re-run actions even where checks pass.
    public var force: Bool
    /// Only report what would change.
    public var checkMode: Bool
    /// known_hosts file the tool owns.
    public var knownHostsFile: URL
    /// Folder of the ControlMaster sockets.
    public var controlDirectory: URL
    /// How long master connections stay open after the run.
    public var controlPersist: Duration
    /// Most SSH connections starting at once (`--connect-concurrency`).
    public var connectConcurrency: Int
    /// Key exchange algorithms to offer instead of OpenSSH's default (`--kex`); `nil` keeps
    /// the default, post-quantum on OpenSSH 9.0 and later.
    public var keyExchange: String?
    /// Folder for run logs.
    public var logDirectory: URL

    /// The option specs, for a command's ``CommandSpec``. `runOptions` adds `--force` and
    /// `--check`, which only commands that apply playbooks take; `defaultUser` is the SSH
    /// user of rows without one when neither `--user` nor `SSH_USER` is given;
    /// `timeoutHelp` says what `--timeout` limits in this command (each command on a host,
    /// or, for a command running stages, each stage on one server).
    public static func specs(runOptions: Bool = false, defaultTimeout: Int = 600, defaultUser: String? = nil,
                             timeoutHelp: String = "Limit of each command on a host") -> [OptionSpec] {
        var specs = [
            OptionSpec("forks", short: "f", value: "N", help: "Hosts worked on at the same time", environment: "FORKS", defaultValue: "20"),
            OptionSpec("limit", short: "l", value: "PATTERN", help: "Only hosts whose name or address matches (globs, commas, !exclusions)"),
            OptionSpec("timeout", short: "t", value: "SECONDS", help: timeoutHelp, environment: "TIMEOUT", defaultValue: String(defaultTimeout)),
            OptionSpec("user", short: "u", value: "USER", help: "SSH user for hosts without one in the inventory", environment: "SSH_USER",
                       defaultValue: defaultUser),
            OptionSpec("port", short: "p", value: "PORT", help: "SSH port for hosts without one in the inventory"),
            OptionSpec("identity", short: "i", value: "FILE", help: "SSH private key for hosts without one in the inventory"),
            OptionSpec("json", help: "Print machine-readable JSON"),
            OptionSpec("verbose", short: "v", help: "Show debug lines and command output", environment: "VERBOSE"),
            OptionSpec("known-hosts", value: "FILE", help: "known_hosts file the tool owns (default: ~/.config/fleetkit/known_hosts)", environment: "FLEET_KNOWN_HOSTS"),
            OptionSpec("persist", value: "SECONDS", help: "Keep SSH connections open this long after the run (0: close)", environment: "FLEET_PERSIST", defaultValue: "60"),
            OptionSpec("log-dir", value: "DIR", help: "Folder for run logs", environment: "FLEET_LOG_DIR", defaultValue: "logs"),
            OptionSpec("control-dir", value: "DIR", help: "Private folder (0700) for the SSH master sockets (default: /tmp/fleetkit-<uid>); keep its path short",
                       environment: "FLEET_CONTROL_DIR"),
            OptionSpec("connect-concurrency", value: "N", help: "Most SSH connections starting at the same time (key exchanges use the local CPU; a shared sshd drops logins past its MaxStartups)",
                       environment: "FLEET_CONNECT_CONCURRENCY", defaultValue: "32"),
            OptionSpec("kex", value: "ALGORITHMS", help: "Opt-in: SSH key exchange algorithms instead of OpenSSH's post-quantum default, e.g. curve25519-sha256 (less client CPU per connection, no protection of recorded sessions against future quantum computers)",
                       environment: "FLEET_KEX"),
        ]
        if runOptions {
            specs += [
                OptionSpec("force", help: "Run actions even where the check says it is already done", environment: "FORCE"),
                OptionSpec("check", help: "Only show per host what would change; change nothing"),
            ]
        }
        return specs
    }

    /// Reads the options from a parsed command line.
    ///
    /// - Parameters:
    ///   - environment: the process environment, for `HOME`.
    ///   - currentDirectory: relative paths are resolved against it.
    public init(_ parsed: ParsedCommand, environment: [String: String], currentDirectory: URL) throws(UsageError) {
        forks = try parsed.int("forks", range: 1...1000) ?? 20
        if let text = parsed.value("limit") {
            do {
                limit = try HostPattern(text)
            } catch {
                throw UsageError(message: "--limit: \(error.message)", commandPath: parsed.path)
            }
        } else {
            limit = nil
        }
        let seconds = try parsed.int("timeout", range: 1...86_400) ?? 600
        timeout = .seconds(seconds)
        user = parsed.value("user")
        if let user, !InventoryValueCheck.isValidUser(user) {
            throw UsageError(message: "--user: '\(TerminalText.quoted(user))' is not a valid user name", commandPath: parsed.path)
        }
        port = try parsed.int("port", range: 1...65_535)
        identityFile = parsed.value("identity").map { Self.resolve($0, in: currentDirectory).path }
        json = parsed.flag("json")
        verbose = parsed.flag("verbose")
        force = parsed.flag("force")
        checkMode = parsed.flag("check")
        let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        knownHostsFile = parsed.value("known-hosts").map { Self.resolve($0, in: currentDirectory) }
            ?? OpenSSHConfiguration.defaultKnownHostsFile(homeDirectory: home)
        controlDirectory = parsed.value("control-dir").map { Self.resolve($0, in: currentDirectory) }
            ?? OpenSSHConfiguration.defaultControlDirectory
        controlPersist = .seconds(try parsed.int("persist", range: 0...86_400) ?? 60)
        logDirectory = Self.resolve(parsed.value("log-dir") ?? "logs", in: currentDirectory)
        connectConcurrency = try parsed.int("connect-concurrency", range: 1...1000) ?? 32
        keyExchange = parsed.value("kex")
        if let keyExchange, keyExchange.isEmpty || !keyExchange.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "@.,+-".contains($0)) }) {
            throw UsageError(message: "--kex: '\(TerminalText.quoted(keyExchange))' is not a list of key exchange algorithm names such as curve25519-sha256", commandPath: parsed.path)
        }
        if let identityFile, !FileManager.default.isReadableFile(atPath: identityFile) {
            throw UsageError(message: "--identity: cannot read the key file \(identityFile)", commandPath: parsed.path)
        }
    }

    /// The OpenSSH settings these options describe.
    public func sshConfiguration() -> OpenSSHConfiguration {
        OpenSSHConfiguration(controlDirectory: controlDirectory, knownHostsFile: knownHostsFile, controlPersist: controlPersist,
                             defaultCommandTimeout: timeout, defaultUser: user, defaultPort: port, defaultIdentityFile: identityFile,
                             extraOptions: keyExchange.map { ["KexAlgorithms=\($0)"] } ?? [], connectionStartLimit: connectConcurrency)
    }

    /// The run settings these options describe (`--forks` and `--timeout` are already
    /// checked by the parser, so this fails only for values built by hand).
    public func runOptions() throws(RunOptionsError) -> RunOptions {
        try RunOptions(forks: forks, checkMode: checkMode, force: force, defaultTimeout: timeout)
    }

    /// The inventory file at `path` (relative to `currentDirectory`) read with a kit's
    /// `schema`, limited by `--limit`.
    public func inventorySource(_ path: String, currentDirectory: URL, schema: InventorySchema = .sshOnly,
                                skipInvalidRows: Bool = false, naming: HostNaming = .address,
                                allowsRepeatedAddresses: Bool = false) -> InventorySource {
        .file(Self.resolve(path, in: currentDirectory), displayName: path, schema: schema, naming: naming,
              skipsInvalidRows: skipInvalidRows, allowsRepeatedAddresses: allowsRepeatedAddresses, limit: limit)
    }

    /// A session over `inventory` whose log is `logs/<logName>_YYYYMMDD_HHMMSS.log` plus
    /// the console on standard error (only warnings and errors with `quietConsole`, unless
    /// `--verbose`).
    public func session(_ logName: String, inventory: InventorySource, io: ToolIO,
                        quietConsole: Bool = false) throws(RunOptionsError) -> FleetSession.Configuration {
        var levels = ConsoleLogSink.defaultLevels(verbose: verbose)
        if quietConsole && !verbose { levels = [.warn, .error] }
        let console = ConsoleLogSink(levels: levels, colored: io.colored, emit: io.consoleLine)
        return FleetSession.Configuration(inventory: inventory, ssh: sshConfiguration(), run: try runOptions(),
                                          log: .file(name: logName, in: logDirectory, verbose: verbose, console: console))
    }

    static func resolve(_ path: String, in directory: URL) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    }
}
