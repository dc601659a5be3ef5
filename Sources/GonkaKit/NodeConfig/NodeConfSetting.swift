/// Every variable a node file may set: the original's names, required set and defaults,
/// plus the optional names `gonka-deploy` adds.
public enum NodeConfSetting: String, CaseIterable, Sendable {
    case serverIP = "SERVER_IP"
    case sshUser = "SSH_USER"
    case keyName = "KEY_NAME"
    case keyringPassword = "KEYRING_PASSWORD"
    case accountPublicKey = "ACCOUNT_PUBKEY"
    case modelName = "MODEL_NAME"
    case seedAPIURL = "SEED_API_URL"
    case profile = "NODE_CONFIG_PROFILE"
    case volumeDevice = "VOLUME_DEVICE"
    case volumeMount = "VOLUME_MOUNT"
    case hfHome = "HF_HOME"
    case gonkaPath = "GONKA_PATH"
    case persistentPeers = "PERSISTENT_PEERS"
    case persistentPeersCount = "PERSISTENT_PEERS_COUNT"
    case autoConfirm = "AUTO_CONFIRM"
    case sshPort = "SSH_PORT"
    case sshKey = "SSH_KEY"
    case adminSSHKeys = "ADMIN_SSH_KEYS"
    case coldKeyName = "COLD_KEY_NAME"
    case grantNodeURL = "GRANT_NODE_URL"
    case pruningKeepRecent = "PRUNING_KEEP_RECENT"
    case pruningInterval = "PRUNING_INTERVAL"
    case gpuCheck = "GPU_CHECK"

    /// The original's required names, in the order it checks them.
    public static let required: [NodeConfSetting] = [
        .serverIP, .sshUser, .keyName, .keyringPassword, .accountPublicKey, .modelName, .seedAPIURL, .profile,
    ]

    /// The three persistent peers the original configures when `PERSISTENT_PEERS` is not set.
    public static let originalPersistentPeers = [
        "981908092bc597e60cc81eda4329783aea7af9d7@85.234.66.95:5000",
        "0aaa255c5b119e95cd66e1bd6032b213ce1c7943@85.234.66.223:5000",
        "8e99e6adee695719c1c0ed5a37165e14f4c0751f@85.234.66.191:5000",
    ].joined(separator: ",")

    /// Whether the original stops when the setting is missing or empty.
    public var isRequired: Bool { Self.required.contains(self) }

    /// Whether the value must never be shown (in errors, descriptions or logs).
    public var isSecret: Bool { self == .keyringPassword }

    /// The value used when the setting is unset or empty: the original's defaults, and ours
    /// for the names it does not have; nil when there is none (or it depends on another setting).
    public var defaultValue: String? {
        switch self {
        case .volumeDevice: "/dev/vdc"
        case .volumeMount: "/mnt/ssd"
        case .hfHome: "/mnt/ssd/hf"
        case .gonkaPath: "/mnt/ssd/gonka"
        case .persistentPeers: Self.originalPersistentPeers
        case .persistentPeersCount: "3"
        case .autoConfirm: "no"
        case .sshPort: "22"
        case .pruningKeepRecent: "1000"
        case .pruningInterval: "100"
        case .gpuCheck: GPUCheckPolicy.refuse.rawValue
        case .serverIP, .sshUser, .keyName, .keyringPassword, .accountPublicKey, .modelName, .seedAPIURL, .profile,
             .sshKey, .adminSSHKeys, .coldKeyName, .grantNodeURL:
            nil
        }
    }
}
