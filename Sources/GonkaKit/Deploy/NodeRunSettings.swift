import FleetKit
import Foundation

/// Where a run against one node's server starts from, shared by the deployment
/// (``DeployRun``) and the stuck-sync fix (``StuckSyncFixRun``): the node file, this
/// machine's folders and SSH settings, the console, and how long things may take.
public struct NodeRunSettings: Sendable {
    /// The node file.
    public var nodeFile: URL
    /// The node file as the operator named it, shown in the banner and the parameter block.
    public var nodeFileName: String
    /// Values for `$NAME` in the node file and for `AUTO_CONFIRM`: the caller's environment.
    public var environment: [String: String]
    /// The folder a relative `SSH_KEY` of the node file is found from.
    public var workingDirectory: URL
    /// The node's local folder; `nil` is `nodes/<KEY_NAME>/` next to the node file.
    public var localFolder: URL?
    /// The folder of the run logs (`<KEY_NAME>_YYYY-MM-DD_HH-MM-SS.log` and `<KEY_NAME>_latest.log`).
    public var logFolder: URL
    /// The SSH private key instead of the node file's `SSH_KEY`.
    public var identityFile: URL?
    /// The known_hosts file the run owns.
    public var knownHostsFile: URL
    /// Limit of each remote command.
    public var commandTimeout: Duration
    /// The pauses and polling loops of phases 5 and 6 and of the fix.
    public var waits: DeployWaits
    /// Debug lines and command output in the log file and on the console too.
    public var verbose: Bool
    /// Where console lines, the parameter block and questions go, and where answers come from.
    public var console: OperatorConsole
    /// How the operator runs the stuck-sync fix, named in a stuck sync's warning (a tool
    /// passes its own command line); `nil` names the fix itself.
    public var fixSyncCommand: String?
    /// How the operator backs the node's keys up (``NodeBackupRun``), named in the final
    /// report's next steps (a tool passes its own command line); `nil` describes it.
    public var backupCommand: String?
    /// The ssh program the run checks for and uses.
    public var sshPath: String
    /// A transport to use instead of the run's own OpenSSH connection (tests); closed all the
    /// same, and the ssh program is then not checked for.
    public var transport: (any Transport)?
    /// How the seed API and the node's RPC are asked from this machine.
    public var httpClient: any HTTPTransport
    /// The clock of the log, the waits and the dates the run shows.
    public var clock: any FleetClock

    /// Creates the settings; commands get 10 minutes each and the waits are the original's.
    public init(nodeFile: URL, nodeFileName: String, environment: [String: String], workingDirectory: URL, localFolder: URL? = nil,
                logFolder: URL, identityFile: URL? = nil, knownHostsFile: URL, commandTimeout: Duration = .seconds(600),
                waits: DeployWaits = .original, verbose: Bool = false, console: OperatorConsole, fixSyncCommand: String? = nil, backupCommand: String? = nil,
                sshPath: String = "/usr/bin/ssh", transport: (any Transport)? = nil, httpClient: any HTTPTransport = URLSessionHTTPTransport(),
                clock: any FleetClock = SystemClock()) {
        self.nodeFile = nodeFile
        self.nodeFileName = nodeFileName
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.localFolder = localFolder
        self.logFolder = logFolder
        self.identityFile = identityFile
        self.knownHostsFile = knownHostsFile
        self.commandTimeout = commandTimeout
        self.waits = waits
        self.verbose = verbose
        self.console = console
        self.fixSyncCommand = fixSyncCommand
        self.backupCommand = backupCommand
        self.sshPath = sshPath
        self.transport = transport
        self.httpClient = httpClient
        self.clock = clock
    }

    /// Reads and checks the node file; every problem at once.
    public func loadNodeConfig() throws(NodeConfigError) -> NodeConfig {
        try NodeConfig.load(contentsOf: nodeFile, path: nodeFileName, environment: environment)
    }
}
