import FleetKit
import Foundation

/// Reads, without changing anything, what an upgrade would change on one node: where its
/// checkout stands and whether the tag exists on the checkout's origin (`git ls-remote`,
/// nothing fetched), local changes git would refuse to replace, the deploy folder's
/// config.env, .env and node-config.json against the rendered ones, the images the compose
/// files name now and at the tag (when its commit is on the server), and the admin API's
/// ML nodes against the rendered node-config.json.
enum NodeUpgradeProbe {
    /// Files of the deploy folder the deployment writes and the upgrade rewrites: local
    /// changes to them in the checkout are expected.
    static let ownFiles = ["deploy/join/config.env", "deploy/join/.env", "deploy/join/node-config.json"]
    /// The admin API's list of ML nodes, on the server.
    static let adminNodesURL = "http://localhost:9200/admin/v1/nodes"
    /// The `image:` values of compose files (text on standard input or in the files named).
    static let imageFilter = "sed -n 's/^[[:space:]]*image:[[:space:]]*//p'"

    /// The plan of `config`'s node, or the problem that keeps it from being upgraded.
    static func plan(_ config: NodeConfig, tag: ReleaseTag, context: HostContext) async -> Result<NodeUpgradePlan, NodeUpgradeProblem> {
        let server = "\(config.sshUser)@\(config.serverAddress.urlHost)"
        func problem(_ text: String) -> Result<NodeUpgradePlan, NodeUpgradeProblem> { .failure(NodeUpgradeProblem(node: config.keyName, text)) }
        let checkout: CommandResult
        do {
            checkout = try await context.run(RemoteCommand(checkoutScript(config, tag: tag), timeout: .seconds(120)))
        } catch {
            return problem("cannot reach \(server): \(error.message)")
        }
        let lines = checkout.standardOutput.split(separator: "\n").map(String.init)
        guard checkout.succeeded else { return problem("cannot read the checkout at \(config.gonkaPath) (\(checkout.summary)): \(TerminalText.escaped(checkout.tail(lines: 2)))") }
        if lines.first == "absent" { return problem("there is no Gonka checkout at \(config.gonkaPath); deploy the node first") }
        func values(_ prefix: String) -> [String] { lines.filter { $0.hasPrefix(prefix + " ") }.map { String($0.dropFirst(prefix.count + 1)) } }
        let remote = values("remote"), status = values("remote-status").first ?? ""
        if status == "2" { return problem("the tag \(tag) does not exist in the repository the checkout at \(config.gonkaPath) was cloned from") }
        guard status == "0", let commit = tagCommit(remote, tag: tag) else {
            return problem("cannot list the tags of the checkout's origin: \(TerminalText.escaped(remote.suffix(2).joined(separator: " ")))")
        }
        let foreign = values("dirty").map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }.filter { !ownFiles.contains($0) }
        guard foreign.isEmpty else {
            return problem("the checkout at \(config.gonkaPath) has local changes to \(TerminalText.escaped(foreign.joined(separator: ", "))), which checking out \(tag) would replace; commit, stash or undo them first")
        }
        let fromCommit = values("head").first.flatMap { $0.isEmpty ? nil : $0 }
        let fromTag = values("headtag").first.flatMap { $0.isEmpty ? nil : $0 }
        let files = (try? await context.run(RemoteCommand(filesScript(config), timeout: .seconds(60)))).map(serverFiles) ?? [:]
        let rendered = NodeFiles.render(config)
        let renderedEnv = rendered.first { $0.name == "config.env" }?.contents ?? ""
        let renderedNodeConfig = rendered.first { $0.name == "node-config.json" }?.contents ?? ""
        var plan = NodeUpgradePlan(
            keyName: config.keyName, server: server, fromCommit: fromCommit, fromTag: fromTag, toTag: tag.name, toCommit: commit,
            configEnv: ConfigEnvChange.changes(from: files["config.env"] ?? nil, to: renderedEnv, secrets: [config.keyringPassword.revealed]),
            composeEnvChanges: (files[".env"] ?? nil) != ComposeEnvFile.render(config),
            nodeConfigFileChanges: (files["node-config.json"] ?? nil) != renderedNodeConfig,
            newImages: nil, mlNodes: [])
        if fromCommit != commit { plan.newImages = await newImages(config, commit: commit, context: context) }
        if let admin = (try? await NodeServerProbe.get(adminNodesURL, context)).flatMap({ $0 }) {
            guard let changes = MLNodeChange.changes(adminNodes: admin, nodeConfigJSON: renderedNodeConfig) else {
                return problem("the admin API's list of ML nodes is not a JSON array")
            }
            plan.mlNodes = changes
        } else {
            plan.mlNodesUnread = "the admin API does not answer"
        }
        return .success(plan)
    }

    /// Where the checkout stands, its local changes and the tag on its origin: lines
    /// `head`, `headtag`, `dirty` (git's porcelain lines), `remote` (ls-remote's) and `remote-status`.
    static func checkoutScript(_ config: NodeConfig, tag: ReleaseTag) -> String {
        "cd \(ShellQuote.quote(config.gonkaPath)) 2>/dev/null || { echo absent; exit 0; }; "
            + "echo \"head $(git rev-parse HEAD 2>/dev/null)\"; echo \"headtag $(git describe --tags --exact-match HEAD 2>/dev/null)\"; "
            + "git status --porcelain --untracked-files=no 2>/dev/null | sed 's/^/dirty /'; "
            + "r=$(git ls-remote --exit-code --tags origin \(ShellQuote.quote(tag.name)) 2>&1); s=$?; "
            + "printf '%s\\n' \"$r\" | sed 's/^/remote /'; echo \"remote-status $s\""
    }

    /// The commit `tag` names in `git ls-remote` lines: the peeled `^{}` line of an annotated tag, else the tag's own.
    static func tagCommit(_ lines: [String], tag: ReleaseTag) -> String? {
        var refs: [String: String] = [:]
        for line in lines {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            guard fields.count == 2, fields[0].count >= 40, Hex.decode(fields[0]) != nil else { continue }
            refs[fields[1]] = fields[0]
        }
        return refs["refs/tags/\(tag.name)^{}"] ?? refs["refs/tags/\(tag.name)"]
    }

    /// config.env, .env and node-config.json of the deploy folder, each as one `NAME BASE64` line (`NAME` alone when absent).
    static func filesScript(_ config: NodeConfig) -> String {
        "cd \(ShellQuote.quote(config.deployDirectory)) || exit 3; for f in config.env .env node-config.json; do "
            + "if [ -f \"$f\" ]; then printf '%s ' \"$f\"; base64 <\"$f\" | tr -d '\\n'; echo; else echo \"$f\"; fi; done"
    }

    /// The files `filesScript` printed: each present one's text, `nil` for an absent one.
    static func serverFiles(_ result: CommandResult) -> [String: String?] {
        guard result.succeeded else { return [:] }
        var files: [String: String?] = [:]
        for line in result.standardOutput.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            if parts.count < 2 { files[name] = .some(nil); continue }
            files[name] = Data(base64Encoded: String(parts[1])).map { String(decoding: $0, as: UTF8.self) }
        }
        return files
    }

    /// The images the compose files name at `commit` but not now; `nil` when the commit is not on the server.
    static func newImages(_ config: NodeConfig, commit: String, context: HostContext) async -> [String]? {
        let compose = FinalLaunchPhase.composeFiles.map { "deploy/join/" + $0 }
        let at = compose.map { ShellQuote.quote(commit + ":" + $0) }.joined(separator: " ")
        let script = "cd \(ShellQuote.quote(config.gonkaPath)) || exit 3; echo '[now]'; \(imageFilter) \(compose.map(ShellQuote.quote).joined(separator: " ")) 2>/dev/null; "
            + "git cat-file -e \(ShellQuote.quote(commit + "^{commit}")) 2>/dev/null || exit 0; echo '[tag]'; git show \(at) 2>/dev/null | \(imageFilter)"
        guard let result = try? await context.run(RemoteCommand(script, timeout: .seconds(60))), result.succeeded else { return nil }
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        guard let tagStart = lines.firstIndex(of: "[tag]") else { return nil }
        let now = Set(lines[..<tagStart].dropFirst().map(imageName))
        return lines[(tagStart + 1)...].map(imageName).filter { !now.contains($0) }
    }

    /// An `image:` value without quotes, a trailing comment or spaces.
    static func imageName(_ value: String) -> String {
        let uncommented = value.split(separator: "#", maxSplits: 1).first.map(String.init) ?? ""
        return uncommented.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\"'")))
    }
}

/// Why one node cannot be upgraded; nothing was changed on it.
public struct NodeUpgradeProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node's `KEY_NAME`.
    public let node: String
    /// What keeps it from being upgraded.
    public let problem: String

    init(node: String, _ problem: String) {
        self.node = node
        self.problem = problem
    }

    /// `KEY_NAME: problem`.
    public var description: String { "\(node): \(problem)" }
}

/// An upgrade refused before any node was changed: every node's problem at once.
public struct NodeUpgradeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, one per node that has one.
    public let problems: [NodeUpgradeProblem]

    /// The problems, one line each, after a sentence saying nothing was changed.
    public var description: String {
        "nothing was upgraded: " + (problems.count == 1 ? problems[0].description
            : "\(problems.count) nodes cannot be upgraded:\n" + problems.map(\.description).joined(separator: "\n"))
    }
}
