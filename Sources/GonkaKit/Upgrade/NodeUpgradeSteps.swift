import FleetKit
import Foundation

/// One node of an upgrade, read and ready: its settings, checked node file, connection,
/// the seed API and the plan read before anything changed.
struct NodeUpgradeTarget: Sendable {
    let settings: NodeRunSettings
    let config: NodeConfig
    let context: HostContext
    let seedAPI: SeedAPI
    let plan: NodeUpgradePlan

    /// The node's local folder, where the deployment keeps its copies of the files.
    var localFolder: URL { settings.localFolder ?? NodeFiles.defaultFolder(nodeFile: settings.nodeFile, keyName: config.keyName) }
}

/// What the upgrade does on one node, in order: fetch and check out the tag, write
/// config.env, .env and node-config.json (on the server and the local copies), pull the
/// images of both compose files, recreate the containers, wait for the admin API and send
/// it the ML node changes. The health gate comes after, from the rollout.
enum NodeUpgradeSteps {
    /// What was pulled and sent, for the report.
    struct Applied: Sendable {
        var pulled: [String]?
        var sent: [MLNodeChange] = []
    }

    static func apply(_ target: NodeUpgradeTarget, policy: RolloutPolicy, clock: any FleetClock,
                      record: @Sendable (Applied) -> Void) async -> Rollout.ActionResult {
        let plan = target.plan, config = target.config, context = target.context
        if plan.isUnchanged { return .unchanged("already at \(plan.toTag) with the rendered files and ML node settings") }
        var done: [String] = []
        var applied = Applied()
        defer { record(applied) }
        do {
            if plan.changesTag {
                context.log(.exec, "Fetching and checking out \(plan.toTag)")
                let result = try await context.run(RemoteCommand(checkoutScript(config, tag: plan.toTag), timeout: .seconds(1800)))
                let head = result.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
                guard result.succeeded else { return .failed("cannot check out \(plan.toTag) (\(result.summary)): \(TerminalText.escaped(result.tail(lines: 2)))") }
                guard head == plan.toCommit else { return .failed("the checkout is at \(TerminalText.escaped(head)) after checking out \(plan.toTag), not at its commit \(plan.toCommit)") }
                done.append("checked out \(plan.toTag)")
            }
            if plan.needsRestart || plan.nodeConfigFileChanges {
                let files = NodeFiles.render(config).map { ($0.name, $0.contents, $0.mode) } + [(".env", ComposeEnvFile.render(config), UInt16(0o600))]
                for (name, contents, mode) in files {
                    let result = try await context.run(RemoteCommand(UploadScript.make(path: config.deployDirectory + "/" + name, mode: mode),
                                                                     standardInput: Data(contents.utf8), timeout: .seconds(60)))
                    guard result.succeeded else { return .failed("cannot write \(name) on the server (\(result.summary)): \(TerminalText.escaped(result.tail(lines: 2)))") }
                }
                do {
                    _ = try NodeFiles.write(config, to: target.localFolder)
                } catch {
                    return .failed("the server's files are written, but not the local copies: \(error)")
                }
                context.log(.ok, "config.env, .env and node-config.json written" + (plan.configEnv.isEmpty ? "" : ": \(Plural.count(plan.configEnv.count, "variable")) of config.env changed"))
                done.append("files written")
            }
            if plan.needsRestart {
                let listed = try await context.run(RemoteCommand("cd \(ShellQuote.quote(config.deployDirectory)) && \(NodeUpgradeProbe.imageFilter) "
                                                                 + FinalLaunchPhase.composeFiles.joined(separator: " "), timeout: .seconds(60)))
                let images = listed.standardOutput.split(separator: "\n").map { NodeUpgradeProbe.imageName(String($0)) }
                context.log(.exec, "Pulling the images of both compose files")
                let pulled = try await context.run(RemoteCommand("\(FinalLaunchPhase.composeBoth(config)) pull", timeout: .seconds(3 * 3600)))
                guard pulled.succeeded else { return .failed("docker compose pull failed (\(pulled.summary)): \(TerminalText.escaped(pulled.tail(lines: 2)))") }
                applied.pulled = images
                context.log(.exec, "Recreating the containers of both compose files")
                let restarted = try await context.run(RemoteCommand("\(FinalLaunchPhase.composeBoth(config)) up -d --force-recreate", timeout: .seconds(3600)))
                guard restarted.succeeded else { return .failed("the containers did not start (\(restarted.summary)): \(TerminalText.escaped(restarted.tail(lines: 2)))") }
                done.append("pulled \(Plural.count(images.count, "image")), restarted")
            }
            guard let admin = await adminNodes(context, waiting: plan.needsRestart ? policy : nil, clock: clock) else {
                return .failed((done.isEmpty ? "" : done.joined(separator: ", ") + "; but ") + "the admin API did not answer, so the ML node settings were not compared")
            }
            let rendered = NodeConfigJSONFile.render(config.profile)
            guard let changes = MLNodeChange.changes(adminNodes: admin, nodeConfigJSON: rendered) else {
                return .failed("the admin API's list of ML nodes is not a JSON array")
            }
            for change in changes {
                let answer = try await send(change, context)
                guard (200..<300).contains(answer.status) else {
                    return .failed("the admin API refused to \(change.action.rawValue) ML node \(change.id): \(answer.status) \(TerminalText.escaped(answer.body))")
                }
                context.log(.ok, "ML node \(change.id) \(change.action == .add ? "added" : "updated") through the admin API")
                applied.sent.append(change)
            }
            if !changes.isEmpty { done.append("\(Plural.count(changes.count, "ML node")) \(changes.count == 1 ? "was" : "were") sent to the admin API") }
            return .done(done.joined(separator: ", "), restarted: plan.needsRestart)
        } catch {
            return .failed((done.isEmpty ? "" : done.joined(separator: ", ") + "; then ") + "the server could not be reached: \(error.message)")
        }
    }

    /// Fetches the tags and checks `tag` out (the deploy folder's own files may differ: they
    /// are written again right after), then prints the commit it is at.
    static func checkoutScript(_ config: NodeConfig, tag: String) -> String {
        "cd \(ShellQuote.quote(config.gonkaPath)) && git fetch --quiet --tags origin && "
            + "git checkout --quiet --force \(ShellQuote.quote("refs/tags/" + tag)) && git rev-parse HEAD"
    }

    /// The admin API's ML nodes; after a restart, looked for every gate interval until it answers or the gate's time is up.
    static func adminNodes(_ context: HostContext, waiting policy: RolloutPolicy?, clock: any FleetClock) async -> String? {
        let deadline = clock.now().addingTimeInterval(policy?.gateTimeout.seconds ?? 0)
        while true {
            if let answer = (try? await NodeServerProbe.get(NodeUpgradeProbe.adminNodesURL, context)).flatMap({ $0 }) { return answer }
            guard let policy, clock.now() < deadline, !Task.isCancelled else { return nil }
            try? await clock.sleep(for: policy.gateInterval)
        }
    }

    /// Sends one change to the admin API on the server, the body on standard input; its status and body.
    static func send(_ change: MLNodeChange, _ context: HostContext) async throws(TransportError) -> (status: Int, body: String) {
        let (method, path) = change.request
        let url = ShellQuote.quote("http://localhost:9200" + path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(change.body)) ?? Data()
        let result = try await context.run(RemoteCommand(
            "curl -s --max-time 30 -X \(method) -H 'Content-Type: application/json' --data-binary @- -w '\\n%{http_code}' \(url)",
            standardInput: body, timeout: .seconds(60)))
        var lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (result.succeeded ? status : 0, lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines).prefix(300).description)
    }
}
