import Foundation

/// One variable of `config.env` (or the deploy folder's `.env`) that an upgrade changes,
/// compared by name: the server's file against the file rendered from the node file. Values
/// of secret variables, and any value holding a secret, are masked.
public struct ConfigEnvChange: Sendable, Codable, Equatable {
    /// What happens to the variable.
    public enum Kind: String, Sendable, Codable, Equatable {
        /// The rendered file has it, the server's has not.
        case added
        /// The server's file has it, the rendered one has not.
        case removed
        /// Both have it, with different values.
        case changed
    }

    /// What the mask shows instead of a secret value.
    public static let mask = "********"
    /// Variables whose values are secrets.
    public static let secretNames: Set<String> = ["KEYRING_PASSWORD"]

    /// The variable's name.
    public var name: String
    /// Added, removed or changed.
    public var kind: Kind
    /// The value on the server, as written in the file (shell-quoted); masked when secret.
    public var from: String?
    /// The value rendered from the node file, as written; masked when secret.
    public var to: String?

    /// Creates a change.
    public init(name: String, kind: Kind, from: String?, to: String?) {
        self.name = name
        self.kind = kind
        self.from = from
        self.to = to
    }

    /// `NAME: from → to` (or `added: value`, `removed (was value)`).
    public var line: String {
        switch kind {
        case .added: "\(name): added \(to ?? "")"
        case .removed: "\(name): removed (was \(from ?? ""))"
        case .changed: "\(name): \(from ?? "") → \(to ?? "")"
        }
    }

    /// The `NAME=value` assignments of an env file, in order (`export ` in front allowed;
    /// blank lines and comments skipped). A later assignment of a name replaces an earlier one.
    public static func assignments(in text: String) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<equals]), value = String(line[line.index(after: equals)...])
            if let index = result.firstIndex(where: { $0.name == name }) { result[index].value = value } else { result.append((name, value)) }
        }
        return result
    }

    /// The changes from `current` (the server's file; `nil` when it has none) to `rendered`,
    /// in the rendered file's order, then the removed variables; values masked when the name
    /// is secret or the value holds one of `secrets`.
    public static func changes(from current: String?, to rendered: String, secrets: [String]) -> [ConfigEnvChange] {
        let old = assignments(in: current ?? ""), new = assignments(in: rendered)
        let secrets = secrets.filter { !$0.isEmpty }
        func shown(_ name: String, _ value: String?) -> String? {
            guard let value else { return nil }
            return secretNames.contains(name) || secrets.contains(where: value.contains) ? mask : value
        }
        var changes: [ConfigEnvChange] = []
        for (name, value) in new {
            guard let before = old.first(where: { $0.name == name })?.value else {
                changes.append(ConfigEnvChange(name: name, kind: .added, from: nil, to: shown(name, value)))
                continue
            }
            if before != value { changes.append(ConfigEnvChange(name: name, kind: .changed, from: shown(name, before), to: shown(name, value))) }
        }
        for (name, value) in old where !new.contains(where: { $0.name == name }) {
            changes.append(ConfigEnvChange(name: name, kind: .removed, from: shown(name, value), to: nil))
        }
        return changes
    }
}
