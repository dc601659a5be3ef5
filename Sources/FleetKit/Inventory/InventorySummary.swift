import Foundation

/// `fleet check`: what an inventory holds, with every secret masked.
public enum InventorySummary {
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
            var variables = host.variables
            for key in host.secretVariables.keys { variables[key] = Redactor.mask }
            return Row(name: host.name, address: host.address, user: host.user, port: host.port, identityFile: host.identityFile,
                       become: host.privilegeEscalation, variables: variables, line: host.line)
        }
    }

    /// A text listing, one block per host.
    public static func text(_ inventory: Inventory) -> String {
        var text = "\(inventory.file): \(inventory.hosts.count) host\(inventory.hosts.count == 1 ? "" : "s")\n"
        for row in rows(inventory) {
            var fields = ["address=\(row.address)"]
            if let user = row.user { fields.append("user=\(user)") }
            if let port = row.port { fields.append("port=\(port)") }
            if let key = row.identityFile { fields.append("key=\(key)") }
            if let become = row.become { fields.append("become=\(become.rawValue)") }
            for (key, value) in row.variables.sorted(by: { $0.key < $1.key }) { fields.append("\(key)=\(value)") }
            text += "  \(row.name) (line \(row.line)): " + fields.joined(separator: " ") + "\n"
        }
        return text
    }
}
