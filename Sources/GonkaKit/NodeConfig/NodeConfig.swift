import FleetKit
import Foundation

/// A node file read and checked: every setting the original knows plus ours, typed, with
/// the original's defaults applied. Made only through `load` or `parse`, which report
/// every problem at once before anything touches a server.
///
/// The keyring password is a `Secret`: descriptions, `dump` and interpolation show `***`.
public struct NodeConfig: Sendable {
    /// The node file's path as the user gave it.
    public let file: String
    /// The server's IPv4 or IPv6 address (`SERVER_IP`).
    public let serverAddress: ServerAddress
    /// The SSH login (`SSH_USER`).
    public let sshUser: String
    /// The SSH port (`SSH_PORT`, default 22).
    public let sshPort: Int
    /// The SSH private key file (`SSH_KEY`), if given; otherwise ssh's own choice.
    public let sshKey: String?
    /// The warm key's name (`KEY_NAME`), also naming `nodes/<KEY_NAME>/` and the log file.
    public let keyName: String
    /// The warm keyring's password (`KEYRING_PASSWORD`).
    public let keyringPassword: Secret
    /// The cold account's public key (`ACCOUNT_PUBKEY`).
    public let accountPublicKey: AccountPublicKey
    /// The model to download (`MODEL_NAME`), the one the profile serves.
    public let modelName: String
    /// The seed node's API, without a trailing slash (`SEED_API_URL`).
    public let seedAPIURL: String
    /// What node-config.json describes (`NODE_CONFIG_PROFILE`). When the node file leaves it
    /// open (``profileIsOpen``), the first profile serving ``modelName`` until phase 0 picks
    /// the one for the server's GPUs.
    public internal(set) var profile: NodeProfile
    /// `NODE_CONFIG_PROFILE=auto`: phase 0 picks the official configuration serving
    /// ``modelName`` that matches the server's GPUs (``GPUFit/pick(model:gpus:)``).
    public let profileIsOpen: Bool
    /// What phase 0 does when the GPUs cannot run the configuration (`GPU_CHECK`, default `refuse`).
    public let gpuCheck: GPUCheckPolicy
    /// The data disk (`VOLUME_DEVICE`, default /dev/vdc).
    public let volumeDevice: String
    /// Where the data disk is mounted (`VOLUME_MOUNT`, default /mnt/ssd).
    public let volumeMount: String
    /// The model cache on the server (`HF_HOME`, default /mnt/ssd/hf).
    public let hfHome: String
    /// The Gonka checkout on the server (`GONKA_PATH`, default /mnt/ssd/gonka).
    public let gonkaPath: String
    /// CometBFT persistent peers (`PERSISTENT_PEERS`, default the original's three).
    public let persistentPeers: [PersistentPeer]
    /// Whether the deploy prompt is skipped (`AUTO_CONFIRM` is exactly `yes`).
    public let autoConfirm: Bool
    /// Public keys added to the server's authorized_keys (`ADMIN_SSH_KEYS`); none by default.
    public let adminSSHKeys: [AdminSSHKey]
    /// The cold key's name in the local keyring (`COLD_KEY_NAME`), for the grant.
    public let coldKeyName: String?
    /// The chain RPC the grant is sent to (`GRANT_NODE_URL`, default `<SEED_API_URL>/chain-rpc/`).
    public let grantNodeURL: String
    /// app.toml pruning (`PRUNING_KEEP_RECENT`, `PRUNING_INTERVAL`; default 1000 and 100).
    public let pruning: PruningSettings
    /// Things that work but may not be what was meant, such as values taken from the environment.
    public let notes: [NodeConfigProblem]

    /// The folder on the server holding config.env, node-config.json and the compose files.
    public var deployDirectory: String { gonkaPath + "/deploy/join" }

    /// The largest node file read (1 MiB; real ones hold a few hundred bytes).
    public static let maximumFileSize = BoundedFile.mebibyte

    /// Reads and checks the node file at `url`; `path` is how it is named in messages (default: the URL's path).
    public static func load(contentsOf url: URL, path: String? = nil, environment: [String: String]) throws(NodeConfigError) -> NodeConfig {
        let shown = path ?? url.path
        let text: String
        do {
            text = try BoundedFile.readText(url, limit: maximumFileSize)
        } catch {
            let message = switch error.reason {
            case .system(ENOENT): "the node file does not exist"
            case .notUTF8: "the node file is not UTF-8 text"
            default: "the node file cannot be read: \(error.reasonText)"
            }
            throw NodeConfigError(file: shown, problems: [NodeConfigProblem(file: shown, location: .file, setting: nil, message: message)])
        }
        return try parse(text, file: shown, environment: environment)
    }

    /// Reads and checks node file text; `file` names it in messages. `environment` supplies
    /// `$NAME` references and the settings the file does not assign, as in the original.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws(NodeConfigError) -> NodeConfig {
        let read = NodeConfFile.read(text, path: file, environment: environment)
        var validator = NodeConfigValidator(conf: read.file, environment: environment, unreadable: read.unreadable)
        return try validator.validate(syntaxProblems: read.problems)
    }
}

/// What phase 0 does when the server's GPUs cannot run the node's configuration (`GPU_CHECK`).
public enum GPUCheckPolicy: String, Sendable, CaseIterable {
    /// Stop before anything changes (the default).
    case refuse
    /// Report it and deploy all the same.
    case warn
}

/// The server's address: IPv4 or IPv6, as written in `SERVER_IP`.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address without brackets.
    public let text: String
    /// Whether it is an IPv6 address.
    public let isIPv6: Bool

    /// The address as the host part of a URL or `host:port`: IPv6 in brackets.
    public var urlHost: String { isIPv6 ? "[\(text)]" : text }

    /// The address.
    public var description: String { text }

    /// The address in `text`, or nil when it is neither IPv4 nor IPv6.
    public init?(_ text: String) {
        if ConfigValueText.isIPv4(text) {
            isIPv6 = false
        } else if ConfigValueText.isIPv6(text) {
            isIPv6 = true
        } else {
            return nil
        }
        self.text = text
    }
}

/// Cosmos SDK `custom` pruning: how many recent states to keep and how often to prune.
public struct PruningSettings: Sendable, Hashable {
    /// The SDK's smallest accepted `pruning-keep-recent`.
    public static let minimumKeepRecent = 2
    /// The SDK's smallest accepted `pruning-interval`.
    public static let minimumInterval = 10
    /// The original's values: keep 1000, prune every 100 blocks.
    public static let original = PruningSettings(keepRecent: 1000, interval: 100)

    /// `pruning-keep-recent`.
    public let keepRecent: Int
    /// `pruning-interval`.
    public let interval: Int

    /// Creates the settings; the node refuses values below the minimums, which the node file check reports.
    public init(keepRecent: Int, interval: Int) {
        self.keepRecent = keepRecent
        self.interval = interval
    }
}
