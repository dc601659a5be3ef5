import FleetKit
import Foundation

/// The original toolkit's daily operations, each as a playbook for either node layout.
///
/// Every operation is idempotent where its nature allows (`restart` always restarts),
/// can run in check mode, is bounded by the run's timeout, and fails a host whose node is
/// not running afterwards (`active` for the systemd layout, a running container for compose).
public enum NodeOperation: Sendable, Equatable {
    /// `systemctl restart aztec-node.service` / `docker compose restart`.
    case restart
    /// `aztec-up VERSION` (3 attempts, 10 s apart) then a restart / the compose image
    /// pinned to VERSION, pulled and started. Covers the original's upgrade and downgrade.
    case update(version: String)
    /// New L1 RPC and consensus URLs, whatever the old ones were.
    case setL1(rpc: [String], consensus: [String])
    /// The validator keys of each host's inventory row (several for grouped rows).
    case updateKeys
    /// Stop the node, delete its data folder, start it again.
    case removeData

    /// The log file's stem, as the original's wrapper scripts named their logs.
    public var logStem: String {
        switch self {
        case .restart: "aztec_restart"
        case .update: "aztec_update"
        case .setL1: "fix_rpc_urls"
        case .updateKeys: "update_validator_keys"
        case .removeData: "remove_testnet_data"
        }
    }

    /// Whether the original asked `y/N` before running it.
    public var asksForConfirmation: Bool {
        if case .setL1 = self { return false }
        return true
    }

    /// What it does, for the confirmation question and logs.
    public var summary: String {
        switch self {
        case .restart: "restart the Aztec node"
        case .update(let version): "update the Aztec node to \(version) and restart it"
        case .setL1: "replace the L1 RPC and consensus URLs and restart the node"
        case .updateKeys: "replace the validator keys and restart the node"
        case .removeData: "stop the node, delete its data folder and start it again"
        }
    }
}

/// Timing of the operations.
public struct OperationSettings: Sendable {
    /// Where each layout keeps its files.
    public var layouts: NodeLayouts
    /// Pause after a (re)start before the node must be running (the original waited 30 s).
    public var settle: Duration
    /// Extra attempts of `aztec-up` and image pulls (the original: 2, so 3 in all).
    public var retries: Int
    /// Pause between those attempts (the original: 10 s).
    public var retryDelay: Duration

    /// The original's timings.
    public init(layouts: NodeLayouts = NodeLayouts(), settle: Duration = .seconds(30), retries: Int = 2,
                retryDelay: Duration = .seconds(10)) {
        self.layouts = layouts
        self.settle = settle
        self.retries = max(0, retries)
        self.retryDelay = retryDelay
    }
}

extension NodeOperation {
    /// The playbook of this operation for hosts of `layout`; `nil` for hosts with no node.
    public func playbook(for layout: NodeLayoutKind, _ settings: OperationSettings) -> Playbook? {
        switch layout {
        case .original: Playbook(logStem, steps: originalSteps(settings.layouts.original, settings))
        case .compose: Playbook(logStem, steps: composeSteps(settings.layouts.compose, settings))
        case .none: nil
        }
    }

    private func originalSteps(_ paths: OriginalLayout, _ settings: OperationSettings) -> [Step] {
        let q = RemoteShell.q
        let service = q(paths.service)
        let settle = max(0, Int(settings.settle.seconds.rounded(.up)))
        let mustBeActive = "sleep \(settle); s=$(systemctl is-active \(service) 2>/dev/null || true); [ \"$s\" = active ] || { echo \"\(paths.service) is ${s:-unknown} after the restart\" >&2; exit 1; }"
        let restart = Step.shell("restart \(paths.service)", action: "\(Privilege.asRoot) systemctl restart \(service) && \(Privilege.asRoot) systemctl enable \(service) >/dev/null 2>&1 || true; \(mustBeActive)")
        let restartIfChanged = Step("restart \(paths.service)", check: .swift { context in context.facts["changed"] == nil },
                                    action: .hostCommand { _ in RemoteCommand("\(Privilege.asRoot) systemctl restart \(service); \(mustBeActive)") })
        switch self {
        case .restart:
            return [restart]
        case .update(let version):
            // The exact tag: 2.1 must not match 2.1.2, nor 2.1.2 match 2.1.20.
            let tag = version.replacingOccurrences(of: ".", with: "\\.").replacingOccurrences(of: "+", with: "\\+")
            let pinned = "\(Privilege.asRoot) grep -qE \(q("aztecprotocol/aztec:" + tag + "([\"' ]|$)")) \(q(paths.aztecRun))"
            return [
                Step("aztec-up \(version)",
                     check: version == "latest" ? nil : .shell(pinned),
                     action: .swift { context in
                         let result = try await context.run(
                             "\(Privilege.asRoot) env HOME=\(q(paths.home)) PATH=\(q(paths.binDirectory)):\"$PATH\" aztec-up \(q(version))")
                         guard result.succeeded else { throw StepFailure("aztec-up \(version) failed: \(result.summary): \(result.tail())") }
                         context.facts["changed"] = "1"
                     },
                     retries: settings.retries, retryDelay: settings.retryDelay),
                restartIfChanged,
            ]
        case .setL1(let rpc, let consensus):
            let edits = [
                RemoteEdit.Replacement(marker: "--l1-rpc-urls", line: "  --l1-rpc-urls \"\(rpc.joined(separator: ","))\"", missing: .fail),
                RemoteEdit.Replacement(marker: "--l1-consensus-host-urls", line: "  --l1-consensus-host-urls \"\(consensus.joined(separator: ","))\"", missing: .fail),
            ]
            return [edit("L1 URLs in \(paths.startScript)", file: paths.startScript, edits: { _ in edits }), restartIfChanged]
        case .updateKeys:
            return [edit("validator keys in \(paths.startScript)", file: paths.startScript, edits: { host in
                [RemoteEdit.Replacement(marker: "--sequencer.validatorPrivateKey",
                                        line: "  --sequencer.validatorPrivateKeys=\"\(host.validatorPrivateKeys.joined(separator: ","))\"",
                                        missing: .fail)]
            }, requiresKeys: true), restartIfChanged]
        case .removeData:
            let data = q(paths.dataDirectory)
            return [Step("remove \(paths.dataDirectory)",
                         check: .shell(RemoteShell.requireRoot + "! \(Privilege.asRoot) test -e \(data)"),
                         action: .shell("set -e; \(Privilege.asRoot) systemctl stop \(service) || true; \(Privilege.asRoot) du -sh \(data) || true; \(Privilege.asRoot) rm -rf -- \(data); \(Privilege.asRoot) systemctl start \(service); \(mustBeActive)"))]
        }
    }

    private func composeSteps(_ paths: ComposeLayout, _ settings: OperationSettings) -> [Step] {
        let q = RemoteShell.q
        let folder = q(paths.nodeDirectory)
        let settle = max(0, Int(settings.settle.seconds.rounded(.up)))
        let mustRun = "sleep \(settle); (cd \(folder) && \(Privilege.asRoot) docker compose ps --status running --quiet | grep -q .) || { echo 'the node container is not running' >&2; exit 1; }"
        let upIfChanged = Step("start the node", check: .swift { context in context.facts["changed"] == nil },
                               action: .shell("(cd \(folder) && \(Privilege.asRoot) docker compose up -d) && \(mustRun)"))
        switch self {
        case .restart:
            return [.shell("restart the node", action: "(cd \(folder) && \(Privilege.asRoot) docker compose restart) && \(mustRun)")]
        case .update(let version):
            let image = "aztecprotocol/aztec:\(version)"
            return [
                // `latest` moves: it is pulled and started every time, never "already done".
                Step("pin \(image)",
                     check: version == "latest" ? nil : .shell("grep -qF \(q("image: \"" + image + "\"")) \(q(paths.composeFile))"),
                     action: .swift { context in
                         // The image first: a failed pull leaves the compose file as it was.
                         let pull = try await context.run("\(Privilege.asRoot) docker pull \(q(image))")
                         guard pull.succeeded else { throw StepFailure("docker pull \(image) failed: \(pull.tail())") }
                         let line = "    image: \"\(image)\""
                         let edit = try await context.run(RemoteCommand(RemoteEdit.replaceLines(in: paths.composeFile),
                                                                        standardInput: Data(RemoteEdit.input([.init(marker: "image:", line: line, missing: .fail)]))))
                         guard edit.succeeded else { throw StepFailure("the compose file was not changed: \(edit.tail())") }
                         context.facts["changed"] = "1"
                     },
                     retries: settings.retries, retryDelay: settings.retryDelay),
                upIfChanged,
            ]
        case .setL1(let rpc, let consensus):
            let edits = [
                RemoteEdit.Replacement(marker: "ETHEREUM_HOSTS=", line: "ETHEREUM_HOSTS=\(rpc.joined(separator: ","))", missing: .append),
                RemoteEdit.Replacement(marker: "L1_CONSENSUS_HOST_URLS=", line: "L1_CONSENSUS_HOST_URLS=\(consensus.joined(separator: ","))", missing: .append),
            ]
            return [edit("L1 URLs in \(paths.environmentFile)", file: paths.environmentFile, edits: { _ in edits }), upIfChanged]
        case .updateKeys:
            return [edit("validator keys in \(paths.environmentFile)", file: paths.environmentFile, edits: { host in
                [RemoteEdit.Replacement(marker: "VALIDATOR_PRIVATE_KEY", line: "VALIDATOR_PRIVATE_KEYS=\(host.validatorPrivateKeys.joined(separator: ","))",
                                        missing: .append)]
            }, requiresKeys: true), upIfChanged]
        case .removeData:
            let data = q(paths.dataDirectory)
            return [Step("remove \(paths.dataDirectory)",
                         check: .shell("test -z \"$(ls -A \(data) 2>/dev/null)\""),
                         action: .shell("set -e; (cd \(folder) && \(Privilege.asRoot) docker compose down); \(Privilege.asRoot) du -sh \(data) || true; \(Privilege.asRoot) rm -rf -- \(data); mkdir -p \(data); (cd \(folder) && \(Privilege.asRoot) docker compose up -d); \(mustRun)"))]
        }
    }

    /// A step that applies line replacements to `file` (after a backup), sending the new
    /// lines on standard input; already done when every line is as wanted.
    private func edit(_ name: String, file: String, edits: @escaping @Sendable (RemoteHost) -> [RemoteEdit.Replacement],
                      requiresKeys: Bool = false) -> Step {
        Step(name,
             check: .swift { context in
                 if requiresKeys, context.host.validatorPrivateKeys.isEmpty {
                     throw StepFailure("no validator key in this host's inventory row: fill the 'private_key' (or 'keys') column")
                 }
                 let input = Data(RemoteEdit.input(edits(context.host)))
                 return try await context.run(RemoteCommand(RemoteEdit.linesMatch(in: file), standardInput: input)).succeeded
             },
             action: .swift { context in
                 let result = try await context.run(RemoteCommand(RemoteEdit.replaceLines(in: file), standardInput: Data(RemoteEdit.input(edits(context.host)))))
                 guard result.succeeded else { throw StepFailure("\(file) was not changed: \(result.summary): \(result.tail())") }
                 context.log(.info, result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
                 context.facts["changed"] = "1"
             })
    }
}
