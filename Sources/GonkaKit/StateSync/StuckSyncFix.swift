import FleetKit
import Foundation

/// The stuck-sync fix: the original's fix for a state sync stuck at one chunk, as an
/// explicit command of its own. Peer filter script (only when one is named), every service
/// of both compose files down, chain data kept when it is larger than 1000 MiB (else the
/// partial data removed), the node re-initialised, a fresh trusted block, every service up,
/// then the state-sync wait. Nothing of it needs more than what a deployment set up: the
/// original's filter script lives in its operators' monitoring checkout, which a
/// deployment does not install, so it runs only when the caller names a script.
public enum StuckSyncFix {
    /// The section title of the run.
    public static let title = "FIX STUCK STATE SYNC"
    /// Where the original's phase 1 put its peer filter script, under the SSH user's home
    /// (its operators' monitoring checkout); named by callers that want it, never assumed.
    public static let originalPeerFilterScript = "$HOME/prometheus/iptables_disable_peers.sh"
    /// The rules the filter script added, one `-A OUTPUT …` line each, so its DROP rules are lifted once the node is synced.
    static let filterRulesFact = "gonka.peerFilterRules"

    /// The fix's playbook. `peerFilterScript` is a path on the server (`$HOME/…` expands);
    /// `nil` runs no filter. The services of both compose files go down and up, so the ML
    /// node a deployment started is not left behind; the node re-initialises with tmkms alone.
    public static func playbook(_ config: NodeConfig, seedAPI: SeedAPI, waits: DeployWaits, peerFilterScript: String?,
                                fixSyncCommand: String?) -> Playbook {
        let compose = BasicServicesPhase.compose(config), both = FinalLaunchPhase.composeBoth(config)
        let settle = Int(waits.settle.components.seconds)
        var steps = [notSynced()]
        if let peerFilterScript { steps.append(peerFilter(script: peerFilterScript)) }
        return Playbook(title, steps: steps + [
            .shell("containers stopped", action: "\(both) down", timeout: .seconds(600)),
            chainData(config),
            .shell("node initialized", action: "\(compose) up tmkms node -d --no-deps && sleep \(settle) && \(compose) down", timeout: .seconds(1800)),
            BlockchainConfigurationPhase.stateSyncEdit(config, seedAPI: seedAPI),
            .shell("containers started", action: "\(both) up -d", timeout: .seconds(1800)),
            syncWait(config, waits: waits, fixSyncCommand: fixSyncCommand),
        ])
    }

    /// Stops the fix before it changes anything when the node is synced: stopping it and
    /// cleaning its data would only set it back.
    static func notSynced() -> Step {
        Step.observe("node not synced yet") { context in
            if let height = try await NodeServerProbe.chainHeight(context), height > StateSyncWait.syncedHeight {
                throw StepFailure("the node is at block \(height): its state sync is done, there is nothing to fix")
            }
            return .fine("The node has not finished state sync")
        }
    }

    /// The server-side expression of the script's path: `$HOME/…` expands, anything else is quoted.
    static func scriptExpression(_ path: String) -> String {
        if path.hasPrefix("$HOME/") { return "\"$HOME\"/" + ShellQuote.quote(String(path.dropFirst("$HOME/".count))) }
        return ShellQuote.quote(path)
    }

    /// Runs the peer filter script from its own folder when it exists; nothing to do
    /// otherwise (a line says so). The rules it adds to the mangle table's OUTPUT chain are noted (by
    /// comparing `iptables -S` before and after), so only they are lifted after the sync.
    static func peerFilter(script: String) -> Step {
        let path = scriptExpression(script)
        return Step(
            "peer filter",
            check: .swift { context in
                if try await context.run("test -f \(path)").succeeded { return false }
                context.log(.info, "No peer filter script at \(script); nothing to apply")
                return true
            },
            action: .swift { context in
                let before = try await outputRules(context)
                let result = try await context.run(RemoteCommand("f=\(path) && cd \"$(dirname \"$f\")\" && \(Privilege.asRoot) sh \"$f\"", timeout: .seconds(300)))
                guard result.succeeded else { throw StepFailure("the peer filter script failed (\(result.summary)): \(result.tail(lines: 2))") }
                let added = IPTablesRules.added(before: before, after: try await outputRules(context))
                context.log(.info, "The peer filter script added \(Plural.count(added.count, "rule")) to the mangle table's OUTPUT chain")
                context.facts[filterRulesFact] = added.joined(separator: "\n")
            })
    }

    /// `iptables -t mangle -S OUTPUT`, one `-A OUTPUT …` line a rule.
    static func outputRules(_ context: HostContext) async throws -> [String] {
        let listing = try await context.run("\(Privilege.asRoot) iptables -t mangle -S OUTPUT")
        guard listing.succeeded else { throw StepFailure("cannot list iptables rules (\(listing.summary)): \(listing.tail(lines: 2))") }
        return listing.standardOutput.split(separator: "\n").map(String.init).filter { $0.hasPrefix("-A OUTPUT ") }
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
                    command = "\(Privilege.asRoot) rm -rf \(ShellQuote.quote(inference + "/.node_initialized")) \(ShellQuote.quote(inference + "/cosmovisor"))"
                case .remove:
                    context.log(.info, "Removing \(size) MiB of partial chain data")
                    command = ChainData.removeCommand(config)
                }
                let result = try await context.run(RemoteCommand(command, timeout: .seconds(900)))
                guard result.succeeded else { throw StepFailure("cannot clean the chain data (\(result.summary)): \(result.tail(lines: 2))") }
            },
            timeout: .seconds(1200))
    }

    /// The state-sync wait; once synced, the DROP rules this run's filter script added are lifted.
    static func syncWait(_ config: NodeConfig, waits: DeployWaits, fixSyncCommand: String?) -> Step {
        Step.observe("state sync", timeout: waits.syncWaitLimit) { context in
            let outcome = try await StateSyncWait.wait(context, waits: waits)
            if case .synced = outcome, let added = context.facts[filterRulesFact] { try await liftDropRules(added, context) }
            return StateSyncWait.finding(outcome, config: config, waits: waits, fixSyncCommand: fixSyncCommand)
        }
    }

    /// Deletes, by their specification, the DROP rules the filter script added; every other rule stays.
    static func liftDropRules(_ added: String, _ context: HostContext) async throws {
        let drops = added.split(separator: "\n").map(String.init).filter { IPTablesRules.words($0).suffix(2) == ["-j", "DROP"] }
        if drops.isEmpty { context.log(.info, "No DROP rule of the peer filter to remove") }
        for rule in drops {
            let specification = IPTablesRules.words(rule).dropFirst(2).map(ShellQuote.quote).joined(separator: " ")
            let removed = try await context.run("\(Privilege.asRoot) iptables -t mangle -D OUTPUT \(specification)")
            if removed.succeeded {
                context.log(.ok, "iptables rule removed: \(rule)")
            } else {
                context.log(.warn, "cannot remove iptables rule \(rule) (\(removed.summary))")
            }
        }
    }
}

/// Rules as `iptables -S` prints them.
public enum IPTablesRules {
    /// The lines of `after` that `before` does not have, each counted once.
    public static func added(before: [String], after: [String]) -> [String] {
        var remaining = before
        return after.filter { line in
            if let index = remaining.firstIndex(of: line) {
                remaining.remove(at: index)
                return false
            }
            return true
        }
    }

    /// The words of an `-S` line; a double-quoted word (a comment with spaces) is one word, without its quotes.
    public static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, escaped = false, started = false
        for character in line {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where quoted: escaped = true
            case "\"": quoted.toggle(); started = true
            case " " where !quoted:
                if started { words.append(current) }
                current = ""; started = false
            default: current.append(character); started = true
            }
        }
        if started { words.append(current) }
        return words
    }
}
