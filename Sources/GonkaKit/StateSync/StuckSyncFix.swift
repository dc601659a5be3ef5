import FleetKit
import Foundation

/// `gonka-deploy fix-sync`: the original's fix for a state sync stuck at one chunk, as an
/// explicit command of its own. Peer filter script (when present), containers down, chain
/// data kept when it is larger than 1000 MiB (else the partial data removed), the node
/// re-initialised, a fresh trusted block, containers up, then the state-sync wait. The
/// filter script's path is a setting, not the original's `/home/ubuntu/prometheus`.
public enum StuckSyncFix {
    /// The section title of the run.
    public static let title = "FIX STUCK STATE SYNC"
    /// Where the original's phase 1 puts the peer filter script, under the SSH user's home.
    public static let defaultPeerFilterScript = "$HOME/prometheus/iptables_disable_peers.sh"
    /// Set when the filter script ran, so its DROP rule is lifted once the node is synced.
    static let filterAppliedFact = "gonka.peerFilterApplied"

    /// The fix's playbook. `peerFilterScript` is a path on the server; `nil` is ``defaultPeerFilterScript``.
    public static func playbook(_ config: NodeConfig, seedAPI: SeedAPI, waits: DeployWaits, peerFilterScript: String?,
                                fixSyncCommand: String) -> Playbook {
        let compose = BasicServicesPhase.compose(config)
        let sourced = "cd \(ShellQuote.quote(config.deployDirectory)) && set -a && . ./config.env && set +a && sudo -n -E docker compose"
        let settle = Int(waits.settle.components.seconds)
        return Playbook(title, steps: [
            peerFilter(script: peerFilterScript),
            .shell("containers stopped", action: "\(compose) down", timeout: .seconds(600)),
            chainData(config),
            .shell("node initialized", action: "\(sourced) up -d && sleep \(settle) && \(compose) down", timeout: .seconds(1800)),
            BlockchainConfigurationPhase.stateSyncEdit(config, seedAPI: seedAPI),
            .shell("containers started", action: "\(sourced) up -d", timeout: .seconds(1800)),
            syncWait(config, waits: waits, fixSyncCommand: fixSyncCommand),
        ])
    }

    /// The server-side expression of the script's path: `$HOME/…` expands, anything else is quoted.
    static func scriptExpression(_ script: String?) -> String {
        let path = script ?? defaultPeerFilterScript
        if path.hasPrefix("$HOME/") { return "\"$HOME\"/" + ShellQuote.quote(String(path.dropFirst("$HOME/".count))) }
        return ShellQuote.quote(path)
    }

    /// Runs the peer filter script from its own folder when it exists; nothing to do otherwise.
    static func peerFilter(script: String?) -> Step {
        let path = scriptExpression(script)
        return Step(
            "peer filter",
            check: .swift { context in
                if try await context.run("test -f \(path)").succeeded { return false }
                context.log(.info, "No peer filter script at \(script ?? defaultPeerFilterScript); nothing to apply")
                return true
            },
            action: .swift { context in
                let result = try await context.run(RemoteCommand("f=\(path) && cd \"$(dirname \"$f\")\" && sudo -n sh \"$f\"", timeout: .seconds(300)))
                guard result.succeeded else { throw StepFailure("the peer filter script failed (\(result.summary)): \(result.tail(lines: 2))") }
                context.facts[filterAppliedFact] = "yes"
            })
    }

    /// Chain data kept or removed by its size, as the original decides.
    static func chainData(_ config: NodeConfig) -> Step {
        Step(
            "chain data",
            action: .swift { context in
                let size = try await ChainData.sizeMiB(config, context)
                let inference = config.deployDirectory + "/.inference"
                let command: String
                switch ChainData.fixDecision(sizeMiB: size) {
                case .keep:
                    context.log(.info, "Keeping \(size) MiB of chain data; the node re-initialises")
                    command = "sudo -n rm -rf \(ShellQuote.quote(inference + "/.node_initialized")) \(ShellQuote.quote(inference + "/cosmovisor"))"
                case .remove:
                    context.log(.info, "Removing \(size) MiB of partial chain data")
                    command = ChainData.removeCommand(config)
                }
                let result = try await context.run(RemoteCommand(command, timeout: .seconds(900)))
                guard result.succeeded else { throw StepFailure("cannot clean the chain data (\(result.summary)): \(result.tail(lines: 2))") }
            },
            timeout: .seconds(1200))
    }

    /// The state-sync wait; once synced, the first DROP rule of the mangle table's OUTPUT
    /// chain is lifted when this run's filter script put one there.
    static func syncWait(_ config: NodeConfig, waits: DeployWaits, fixSyncCommand: String) -> Step {
        Step.observe("state sync", timeout: waits.syncWaitLimit) { context in
            let outcome = try await StateSyncWait.wait(context, waits: waits)
            if case .synced = outcome, context.facts[filterAppliedFact] != nil { try await liftDropRule(context) }
            return StateSyncWait.finding(outcome, config: config, waits: waits, fixSyncCommand: fixSyncCommand)
        }
    }

    /// Removes the first DROP rule of `iptables -t mangle -L OUTPUT`, as the original does after a sync.
    static func liftDropRule(_ context: HostContext) async throws {
        let listing = try await context.run("sudo -n iptables -t mangle -L OUTPUT --line-numbers -n")
        guard let number = firstDropRule(inListing: listing.standardOutput) else {
            context.log(.info, "No DROP rule found in iptables")
            return
        }
        let removed = try await context.run("sudo -n iptables -t mangle -D OUTPUT \(number)")
        if removed.succeeded {
            context.log(.ok, "iptables DROP rule #\(number) removed")
        } else {
            context.log(.warn, "cannot remove iptables DROP rule #\(number) (\(removed.summary))")
        }
    }

    /// The number of the first rule whose target is DROP in an `iptables -L --line-numbers` listing.
    public static func firstDropRule(inListing listing: String) -> Int? {
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, fields[1] == "DROP", let number = Int(fields[0]) { return number }
        }
        return nil
    }
}
