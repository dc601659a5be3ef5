import FleetKit

/// What an upgrade changes on one node, read before anything is changed; after the run,
/// also what it pulled and sent. Holds no secret: secret values are masked.
public struct NodeUpgradePlan: Sendable, Codable, Equatable {
    /// The node's `KEY_NAME`.
    public var keyName: String
    /// `SSH_USER@SERVER_IP`.
    public var server: String
    /// The commit the checkout is at.
    public var fromCommit: String?
    /// The tag the checkout is at exactly, if any.
    public var fromTag: String?
    /// The tag upgraded to.
    public var toTag: String
    /// The commit of that tag on the repository's origin.
    public var toCommit: String
    /// `config.env` variables that change.
    public var configEnv: [ConfigEnvChange]
    /// The deploy folder's `.env` (Compose's copy of config.env) is rewritten.
    public var composeEnvChanges: Bool
    /// The server's `node-config.json` is rewritten (read by the API on a first launch only).
    public var nodeConfigFileChanges: Bool
    /// The images the compose files name at the tag that the checkout's files do not name
    /// now; `nil` when the tag's commit is not on the server yet (they are known once it is fetched).
    public var newImages: [String]?
    /// ML node settings sent through the admin API.
    public var mlNodes: [MLNodeChange]
    /// Why the admin API's nodes could not be compared (it did not answer); they are compared again after the restart.
    public var mlNodesUnread: String?
    /// After the run: the images the compose files name, pulled.
    public var pulledImages: [String]?
    /// After the run: the ML node changes the admin API accepted.
    public var mlNodesSent: [MLNodeChange]?

    /// Whether the checkout moves to another commit.
    public var changesTag: Bool { fromCommit != toCommit }

    /// Whether the node is restarted: the checkout, config.env or .env change.
    public var needsRestart: Bool { changesTag || !configEnv.isEmpty || composeEnvChanges }

    /// Whether nothing at all changes.
    public var isUnchanged: Bool { !needsRestart && !nodeConfigFileChanges && mlNodes.isEmpty && mlNodesUnread == nil }

    /// The node's lines: a headline, then one line per kind of change.
    public var textLines: [String] {
        let escaped: (String) -> String = { TerminalText.escaped($0) }
        guard !isUnchanged else { return ["\(keyName) (\(server)): nothing to change, at \(toTag) with the rendered files and ML node settings"] }
        let from = fromTag.map { "\($0) (\(short(fromCommit)))" } ?? (fromCommit.map { "commit \(short($0))" } ?? "no commit")
        var lines = ["\(keyName) (\(server)):",
                     "  tag:         " + (changesTag ? "\(escaped(from)) → \(toTag) (\(short(toCommit)))" : "already at \(toTag)")]
        let env = configEnv.map { escaped($0.line) }
        lines.append("  config.env:  " + (env.first ?? "unchanged"))
        lines += env.dropFirst().map { "               " + $0 }
        if composeEnvChanges { lines.append("  .env:        rewritten from config.env") }
        if nodeConfigFileChanges { lines.append("  node-config.json: rewritten (the API reads it on a first launch only)") }
        if let pulled = pulledImages {
            lines.append("  images:      pulled " + (pulled.isEmpty ? "(the compose files name none)" : escaped(pulled.joined(separator: ", "))))
        } else if needsRestart {
            lines.append("  images:      " + (newImages.map { $0.isEmpty ? "docker compose pull (no new image named)" : "pull " + escaped($0.joined(separator: ", ")) }
                                                ?? "pull the images the compose files name at \(toTag) (known once the tag is fetched)"))
        }
        let ml = (mlNodesSent ?? mlNodes).map { escaped($0.line) }
        if let unread = mlNodesUnread, mlNodesSent == nil { lines.append("  ML nodes:    compared after the restart: \(escaped(unread))") }
        lines.append("  ML nodes:    " + (ml.first ?? "as node-config.json renders them"))
        lines += ml.dropFirst().map { "               " + $0 }
        lines.append("  restart:     " + (needsRestart ? "docker compose pull and up --force-recreate of both compose files, then the health gate" : "none"))
        return lines
    }

    private func short(_ commit: String?) -> String { commit.map { String($0.prefix(12)) } ?? "?" }
}
