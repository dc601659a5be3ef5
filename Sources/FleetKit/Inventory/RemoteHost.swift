/// One server from the inventory: what SSH needs to reach it, plus the row's other values.
///
/// FleetKit knows only the SSH fields. What any other column means (an on-chain address,
/// a wallet, a signing key) is declared by a kit's ``InventorySchema`` and lands in
/// ``variables`` or ``secretVariables`` under the field's key.
public struct RemoteHost: Sendable, Hashable, Identifiable {
    /// The host's name, which is unique within an inventory.
    public var id: String { name }
    /// The name from the name column, or the address when there is none. May contain
    /// spaces and any printable Unicode; use ``fileSafeName`` where it becomes part of a path.
    public var name: String
    /// An IPv4 address, IPv6 address or DNS hostname.
    public var address: String
    /// The SSH user, when given.
    public var user: String?
    /// The SSH port, when given.
    public var port: Int?
    /// The SSH identity (private key) file, when given.
    public var identityFile: String?
    /// How this host's commands get root (the inventory's `become` column); `nil` leaves
    /// it to the transport's default. See ``Privilege``.
    public var privilegeEscalation: PrivilegeEscalation?
    /// Non-secret values: schema fields by their key, other columns by their lowercased header.
    public var variables: [String: String]
    /// Secret values: secret schema fields, columns whose names look secret, and any value
    /// shaped like a private key or mnemonic, whatever its column is called.
    public var secretVariables: [String: Secret]
    /// The line in the inventory file where the host was defined.
    public var line: Int

    /// Creates a host; only the name and address are required.
    public init(
        name: String, address: String, user: String? = nil, port: Int? = nil, identityFile: String? = nil,
        privilegeEscalation: PrivilegeEscalation? = nil,
        variables: [String: String] = [:], secretVariables: [String: Secret] = [:], line: Int = 0
    ) {
        self.name = name
        self.address = address
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.privilegeEscalation = privilegeEscalation
        self.variables = variables
        self.secretVariables = secretVariables
        self.line = line
    }

    /// Every secret value this host carries, in key order, for the log redactor.
    public var secretValues: [String] {
        secretVariables.keys.sorted().compactMap { secretVariables[$0]?.revealed }
    }

    /// What makes two rows the same server: the address (any case), the port and the user.
    /// Two hosts with the same endpoint would be reached as one.
    public var endpoint: String {
        "\(address.lowercased())|\(port.map(String.init) ?? "")|\(user ?? "")"
    }

    /// The name made safe for a file name: letters, digits, `.`, `-` and `_` kept, every
    /// other run of characters becomes `_`, never empty, never `.` or `..`.
    public var fileSafeName: String { FileNameComponent.safe(name) }
}

/// Turns arbitrary text (host names from spreadsheets) into one safe path component.
public enum FileNameComponent {
    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")

    /// `text` with ASCII letters, digits, `.`, `-` and `_` kept and every other run of
    /// characters replaced by one `_`; a leading `.` or `-` becomes `_`, so the result is
    /// never `.`, `..` or an option. At most 100 characters, never empty.
    public static func safe(_ text: String) -> String {
        var result = ""
        var lastWasReplacement = false
        for character in text {
            if allowed.contains(character) {
                result.append(character)
                lastWasReplacement = false
            } else if !lastWasReplacement {
                result.append("_")
                lastWasReplacement = true
            }
        }
        if let first = result.first, first == "." || first == "-" { result = "_" + result.dropFirst() }
        result = String(result.prefix(100))
        return result.isEmpty ? "host" : result
    }
}
