import Foundation

/// `fleet check`: what an inventory holds, with every secret masked.
///
/// A value is masked when its column is secret (``InventoryColumnName/looksSecret(_:)``)
/// or when it holds anything shaped like a secret (``SecretShape``), once more here in case
/// a value reached the inventory some other way; a column name shaped like a secret is
/// masked too. Everything from the file passes ``TerminalText``, so control characters,
/// escape sequences and bidi controls show as `\u{…}`.
public enum InventorySummary {
    /// The names the text listing gives the host's own fields; an extra column with one of
    /// these names is shown as `column.<name>` so no name appears twice.
    public static let fieldNames: Set<String> = ["address", "user", "port", "key", "become"]

    /// One host as shown to people and in JSON; secrets appear only as `***`.
    public struct Row: Sendable, Codable, Equatable {
        /// Name.
        public var name: String
        /// Address.
        public var address: String
        /// SSH user, if given.
        public var user: String?
        /// SSH port, if given.
        public var port: Int?
        /// Key file, if given.
        public var identityFile: String?
        /// How the host becomes root (`auto`, `root`, `sudo`, `never`), if given.
        public var become: PrivilegeEscalation?
        /// Every other value (kit fields and extra columns); secret ones as `***`.
        public var variables: [String: String]
        /// Inventory line.
        public var line: Int
    }

    /// The rows of an inventory.
    public static func rows(_ inventory: Inventory) -> [Row] {
        inventory.hosts.map { host in
            func shown(_ value: String) -> String {
                SecretShape.matches(value) ? Redactor.mask : TerminalText.escaped(value)
            }
            var variables: [String: String] = [:]
            for (key, value) in host.variables { variables[shown(key)] = shown(value) }
            for key in host.secretVariables.keys { variables[shown(key)] = Redactor.mask }
            return Row(name: shown(host.name), address: shown(host.address), user: host.user.map(shown), port: host.port,
                       identityFile: host.identityFile.map(shown), become: host.privilegeEscalation, variables: variables, line: host.line)
        }
    }

    /// A text listing, one block per host.
    public static func text(_ inventory: Inventory) -> String {
        var text = "\(TerminalText.escaped(inventory.file)): \(inventory.hosts.count) host\(inventory.hosts.count == 1 ? "" : "s")\n"
        for row in rows(inventory) {
            var fields = ["address=\(row.address)"]
            if let user = row.user { fields.append("user=\(user)") }
            if let port = row.port { fields.append("port=\(port)") }
            if let key = row.identityFile { fields.append("key=\(key)") }
            if let become = row.become { fields.append("become=\(become.rawValue)") }
            for (key, value) in row.variables.sorted(by: { $0.key < $1.key }) {
                fields.append("\(fieldNames.contains(key) ? "column.\(key)" : key)=\(value)")
            }
            text += "  \(row.name) (line \(row.line)): " + fields.joined(separator: " ") + "\n"
        }
        return text
    }
}
