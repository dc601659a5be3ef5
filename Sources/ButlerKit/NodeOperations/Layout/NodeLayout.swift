import FleetKit

/// How a server's Aztec node is installed, found by looking at the server.
public enum NodeLayoutKind: String, Sendable, Codable, CaseIterable {
    /// Ours: a docker compose project in the node folder (`aztec-fleet install`).
    case compose
    /// The original toolkit's: systemd `aztec-node.service` running `start_aztec_node.sh`,
    /// which runs the aztec CLI installed by `aztec-up`.
    case original
    /// No Aztec node is installed.
    case none
}

/// Where the original toolkit put a node's files. Its playbooks ran as root, so by default
/// everything is under `/root`; paths that do not start with `/` are under the SSH user's home.
public struct OriginalLayout: Sendable, Equatable {
    /// The home of the user the original installed as (`/root`).
    public var home: String
    /// The systemd unit file.
    public var unitFile: String
    /// The systemd service's name.
    public var service: String

    /// The original's paths: `/root/start_aztec_node.sh`, `/etc/systemd/system/aztec-node.service`.
    public init(home: String = "/root", unitFile: String = "/etc/systemd/system/aztec-node.service",
                service: String = "aztec-node.service") {
        self.home = home
        self.unitFile = unitFile
        self.service = service
    }

    /// The start script the unit runs; it holds the node's flags, the validator key included.
    public var startScript: String { home + "/start_aztec_node.sh" }
    /// The marker the original wrote after installing.
    public var marker: String { home + "/.aztec_installed" }
    /// The aztec CLI's folder.
    public var binDirectory: String { home + "/.aztec/bin" }
    /// Where `aztec-up` records the image the CLI runs.
    public var aztecRun: String { binDirectory + "/.aztec-run" }
    /// The node's data folder on testnet.
    public var dataDirectory: String { home + "/.aztec/testnet/data" }
}

/// Where our compose layout keeps a node.
public struct ComposeLayout: Sendable, Equatable {
    /// The node folder (relative: under the SSH user's home).
    public var nodeDirectory: String

    /// A compose layout in `nodeDirectory` (default `aztec`).
    public init(nodeDirectory: String = "aztec") {
        self.nodeDirectory = nodeDirectory
    }

    /// The compose file.
    public var composeFile: String { nodeDirectory + "/docker-compose.yml" }
    /// The node's environment file (mode 0600; it holds the validator key).
    public var environmentFile: String { nodeDirectory + "/.env" }
    /// The node's data folder.
    public var dataDirectory: String { nodeDirectory + "/data" }
}

/// Both layouts' places, and the node RPC port.
public struct NodeLayouts: Sendable, Equatable {
    /// Where aztec-fleet's own compose installs keep a node.
    public var compose: ComposeLayout
    /// Where the original toolkit's systemd installs keep a node.
    public var original: OriginalLayout
    /// The node's JSON-RPC port on the server's loopback.
    public var rpcPort: Int

    /// Creates the description; the defaults are where each toolkit installs.
    public init(compose: ComposeLayout = ComposeLayout(), original: OriginalLayout = OriginalLayout(), rpcPort: Int = 8080) {
        self.compose = compose
        self.original = original
        self.rpcPort = rpcPort
    }
}
