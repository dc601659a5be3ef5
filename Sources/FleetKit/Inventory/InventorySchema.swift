/// One value a kit reads from inventory columns: which columns hold it, how it is checked,
/// and whether it is secret.
///
/// The loader looks at ``columns`` in order and takes the first non-empty value of the
/// row, so a row may take its value from a later column when an earlier one is empty.
/// The value lands in ``RemoteHost/variables`` (or ``RemoteHost/secretVariables`` when
/// ``isSecret``) under ``key``.
public struct InventoryField: Sendable {
    /// The key the value is stored under, e.g. `wallet`.
    public var key: String
    /// What the value is, for messages: "wallet address".
    public var label: String
    /// Accepted header names in priority order; matched after ``InventoryColumnName/normalize(_:)``.
    public var columns: [String]
    /// Whether the value is secret: kept as a ``Secret``, masked in every log, never echoed in errors.
    public var isSecret: Bool
    /// Whether every row must have a value.
    public var isRequired: Bool
    /// Returns what was expected when `value` is not acceptable ("0x followed by 40 hex
    /// digits"), or `nil` when it is.
    public var validate: @Sendable (String) -> String?

    /// Creates a field; without `validate` every non-empty value is accepted.
    public init(_ key: String, label: String, columns: [String], secret: Bool = false, required: Bool = false,
                validate: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.key = key
        self.label = label
        self.columns = columns
        self.isSecret = secret
        self.isRequired = required
        self.validate = validate
    }
}

/// The columns a kit understands, on top of FleetKit's own SSH columns.
///
/// FleetKit reads only what SSH needs: the address (`ip`, `ip_address`, `server_ip`,
/// `host`, `ansible_host`), the name, user, port and identity file, and how a host becomes
/// root (`become`). A kit declares the
/// rest: one kit's schema may say that `address` is an on-chain address and `key` a
/// signing key, another that `wallet` is an account of its chain.
public struct InventorySchema: Sendable {
    /// The kit's fields.
    public var fields: [InventoryField]

    /// Creates a schema of `fields`.
    public init(_ fields: [InventoryField]) {
        self.fields = fields
    }

    /// No kit fields: every column other than the SSH ones becomes a variable.
    public static let sshOnly = InventorySchema([])
}

/// FleetKit's own columns: the SSH fields every inventory has.
public enum SSHColumn: String, CaseIterable, Sendable {
    /// The server's address (required).
    case address
    /// The host's name (default: the address).
    case name
    /// The SSH user.
    case user
    /// The SSH port.
    case port
    /// The SSH private key file.
    case identityFile
    /// How the host's commands get root: `auto`, `root`, `sudo` or `never` (see
    /// ``PrivilegeEscalation``).
    case become

    /// Accepted header names in priority order (normalised form).
    public var columns: [String] {
        switch self {
        case .address: ["ip", "ip_address", "server_ip", "host", "ansible_host"]
        case .name: ["name", "hostname", "host_name", "alias", "inventory_hostname"]
        case .user: ["user", "ssh_user", "username", "ansible_user", "ansible_ssh_user"]
        case .port: ["port", "ssh_port", "ansible_port", "ansible_ssh_port"]
        case .identityFile: ["ssh_key", "identity_file", "ssh_private_key_file", "ansible_ssh_private_key_file"]
        case .become: ["become"]
        }
    }

    /// What the field is, for messages.
    public var label: String {
        switch self {
        case .address: "address"
        case .name: "host name"
        case .user: "SSH user"
        case .port: "SSH port"
        case .identityFile: "SSH key file"
        case .become: "way to become root"
        }
    }
}

/// What hosts are called when the inventory has no name column.
public enum HostNaming: Sendable, Equatable {
    /// By their address (the default).
    case address
    /// `<prefix><n>` in file order over the rows that were kept, n counting from `start`:
    /// `node1`, `node2` … as some inventory generators name them.
    case numbered(prefix: String, start: Int)
}
