import Foundation

/// Fleet-wide settings of the three install stages; per-server values come from the inventory.
public struct InstallSettings: Sendable {
    /// Aztec version installed by the CLI installer and used as the image tag (`2.1.2`).
    public var aztecVersion: String
    /// URL of the Aztec CLI installer script; it honours `VERSION` and `NON_INTERACTIVE=1`.
    public var aztecInstallerURL: String
    /// URL of the Docker Engine install script (engine and compose plugin).
    public var dockerInstallerURL: String
    /// Aztec network the node joins (`--network`).
    public var network: String
    /// Where each layout keeps its node on the servers, and the node's RPC port: the one
    /// place that holds them for the install and for the daily operations.
    public var layouts: NodeLayouts
    /// Node folder of the compose layout on each server; a relative path is under the SSH
    /// user's home (``layouts``' compose folder).
    public var nodeDirectory: String {
        get { layouts.compose.nodeDirectory }
        set { layouts.compose.nodeDirectory = newValue }
    }
    /// Packages the prepare stage installs with apt-get.
    public var basePackages: [String]
    /// L1 execution RPC URLs for hosts whose inventory row names none.
    public var l1RPCURLs: [String]
    /// L1 consensus (beacon) URLs for hosts whose inventory row names none.
    public var consensusURLs: [String]
    /// P2P port, opened for tcp and udp.
    public var p2pPort: Int
    /// Node RPC port; published by the container, opened in the firewall only when
    /// ``opensRPCPort`` (``layouts``' port).
    public var rpcPort: Int {
        get { layouts.rpcPort }
        set { layouts.rpcPort = newValue }
    }
    /// Whether the firewall allows the RPC port from outside.
    public var opensRPCPort: Bool
    /// `LOG_LEVEL` of the node.
    public var logLevel: String
    /// Write the runbook's verbose logging preset into the node's `.env`.
    public var verboseNodeLogs: Bool
    /// How long the last step waits for the node to answer `node_getL2Tips` before warning.
    public var nodeWait: Duration
    /// Extra attempts of steps that download.
    public var downloadRetries: Int
    /// Pause between download attempts.
    public var retryDelay: Duration
    /// Audit log on each server (relative to the SSH user's home).
    public var auditLogPath: String
    /// Name of the inventory file, used in messages about missing values.
    public var inventoryName: String
    /// The SSH port of hosts whose inventory row names none (`--port`, else 22): the
    /// firewall always allows the port the operator is connected on.
    public var defaultSSHPort: Int

    /// How the node takes its validator keys: the `.env` (the original's form, the default)
    /// or a keystore folder.
    public var keyForm: NodeKeyForm = .environment
    /// For the keystore form: each server's newest Butler keys file, by Butler server id
    /// (``KeystoreServerID``). A server without one gets a one-validator keystore from its
    /// inventory row (key, and the row's address as coinbase).
    public var keystoreFiles: [String: KeystoreFile] = [:]
    /// For the keystore form: whether keys a node takes from its `.env` or the original's
    /// start script are moved into its keystore (the migration); without it such a node is refused.
    public var movesEnvironmentKeys: Bool = false

    /// The port that is never opened nor published (the node's admin port).
    public static let adminPort = 8880

    /// Creates settings with the defaults of the original toolkit.
    public init(
        aztecVersion: String = "2.1.2",
        aztecInstallerURL: String = "https://install.aztec.network",
        dockerInstallerURL: String = "https://get.docker.com",
        network: String = "testnet",
        layouts: NodeLayouts = NodeLayouts(),
        basePackages: [String] = ["curl", "jq", "ca-certificates", "gnupg", "ufw"],
        l1RPCURLs: [String] = [],
        consensusURLs: [String] = [],
        p2pPort: Int = 40400,
        opensRPCPort: Bool = false,
        logLevel: String = "info",
        verboseNodeLogs: Bool = false,
        nodeWait: Duration = .seconds(120),
        downloadRetries: Int = 3,
        retryDelay: Duration = .seconds(10),
        auditLogPath: String = ".aztec-fleet/audit.log",
        inventoryName: String = "servers.csv",
        defaultSSHPort: Int = 22
    ) {
        self.aztecVersion = aztecVersion
        self.aztecInstallerURL = aztecInstallerURL
        self.dockerInstallerURL = dockerInstallerURL
        self.network = network
        self.layouts = layouts
        self.basePackages = basePackages
        self.l1RPCURLs = l1RPCURLs
        self.consensusURLs = consensusURLs
        self.p2pPort = p2pPort
        self.opensRPCPort = opensRPCPort
        self.logLevel = logLevel
        self.verboseNodeLogs = verboseNodeLogs
        self.nodeWait = nodeWait
        self.downloadRetries = max(0, downloadRetries)
        self.retryDelay = retryDelay
        self.auditLogPath = auditLogPath
        self.inventoryName = inventoryName
        self.defaultSSHPort = defaultSSHPort
    }

    /// The node's data folder on the server (mounted into the container).
    public var dataDirectory: String { nodeDirectory + "/data" }
    /// The node's `.env` path on the server.
    public var environmentFilePath: String { nodeDirectory + "/.env" }
    /// The node's compose file path on the server.
    public var composeFilePath: String { nodeDirectory + "/docker-compose.yml" }
    /// Where the last applied configuration's digest is kept, to know whether to restart.
    var appliedConfigurationPath: String { nodeDirectory + "/.applied-config" }
}
