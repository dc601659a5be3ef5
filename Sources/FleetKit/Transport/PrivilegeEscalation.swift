/// How a host's commands get root when they ask for it with ``Privilege/asRoot``.
///
/// Chosen per host by the inventory's `become` column (``RemoteHost/privilegeEscalation``),
/// else by the transport's default (``OpenSSHConfiguration/privilegeEscalation``,
/// ``LocalTransport/privilegeEscalation``). No mode ever waits for a password.
public enum PrivilegeEscalation: String, Sendable, Codable, CaseIterable {
    /// Runs directly when the login user is root (uid 0), else through `sudo -n`.
    /// Inventory value `auto`.
    case detect = "auto"
    /// The login user is root: runs directly, and refuses when the login turns out not to be.
    case root
    /// Always through `sudo -n`, even for a root login.
    case sudo
    /// Refuses every command that needs root, with a message naming the host.
    case never

    /// The values the inventory's `become` column accepts, for messages.
    public static let inventoryValues = allCases.map(\.rawValue)
}
