import FleetKit
import Foundation

/// Phase 5 (blockchain configuration): `persistent_peers` in config.toml, pruning at the top
/// level of app.toml, and state sync (trusted block from the seed node's chain RPC) while the
/// node holds no blocks yet; the node is restarted when a file changed, then the run waits
/// for state sync (``StateSyncWait``). Unlike the original, the chain data is never wiped
/// unless the run was asked to (a chain-data reset), so a re-run changes nothing.
public enum BlockchainConfigurationPhase {
    /// How many blocks below the latest the trusted block is, as in the original.
    public static let trustDistance = 1000

    /// The node's CometBFT config.toml on the server.
    public static func configTOMLPath(_ config: NodeConfig) -> String { config.deployDirectory + "/.inference/config/config.toml" }
    /// The node's Cosmos SDK app.toml on the server.
    public static func appTOMLPath(_ config: NodeConfig) -> String { config.deployDirectory + "/.inference/config/app.toml" }
    /// The node's chain data folder on the server.
    public static func dataPath(_ config: NodeConfig) -> String { config.deployDirectory + "/.inference/data" }

    /// The phase's playbook. `resetChainData` adds the (confirmed) removal of the chain
    /// data before the state-sync settings; `fixSyncCommand` is what a stuck sync's warning
    /// tells the operator to run.
    public static func playbook(_ config: NodeConfig, seedAPI: SeedAPI, waits: DeployWaits, checkMode: Bool,
                                resetChainData: Bool, fixSyncCommand: String?) -> Playbook {
        var steps = [
            RemoteTOMLEditStep.make("config.toml persistent_peers", path: configTOMLPath(config), checkMode: checkMode) { _ in
                ChainConfigEdits.configTOML(persistentPeers: config.persistentPeers, stateSync: nil)
            },
            RemoteTOMLEditStep.make("app.toml pruning", path: appTOMLPath(config), checkMode: checkMode) { _ in
                ChainConfigEdits.appTOML(pruning: config.pruning)
            },
        ]
        // After a reset the node starts from nothing: a fresh trusted block, whatever was set
        // before, fetched before anything is deleted (a failed lookup stops the run first).
        steps += resetChainData ? [stateSyncEdit(config, seedAPI: seedAPI, checkMode: checkMode), ChainData.resetStep(config)] : [stateSync(config, seedAPI: seedAPI)]
        steps += [
            nodeRestart(config),
            StateSyncWait.step(config, waits: waits, checkMode: checkMode, fixSyncCommand: fixSyncCommand),
        ]
        return Playbook(DeployPhase.blockchainConfiguration.title, steps: steps)
    }

    /// State sync, set only while the node reports no blocks (its height is 0 or it does
    /// not answer) and config.toml does not hold our settings already (enabled, our RPC
    /// servers, a trusted block): a synced node keeps its settings, and a re-run during a
    /// sync neither rewrites the trusted block nor restarts the sync. Settings the node's
    /// own first start wrote (other RPC servers) are replaced, as the original does.
    static func stateSync(_ config: NodeConfig, seedAPI: SeedAPI) -> Step {
        let edit = stateSyncEdit(config, seedAPI: seedAPI)
        return Step(
            "config.toml state sync",
            check: .swift { context in
                if let height = try await NodeServerProbe.chainHeight(context), height > 0 {
                    context.log(.info, "The node is at block \(height); state sync settings are kept")
                    return true
                }
                let read = try await context.run("\(Privilege.asRoot) cat \(ShellQuote.quote(configTOMLPath(config)))")
                if read.succeeded, let trust = configuredTrustHeight(configTOML: read.standardOutput) {
                    context.log(.info, "State sync is set up already (trust height \(trust)); settings are kept")
                    return true
                }
                return false
            },
            action: edit.action)
    }

    /// The trust height of a config.toml whose `[statesync]` is enabled with our RPC servers
    /// and a trusted block, else `nil`.
    static func configuredTrustHeight(configTOML: String) -> Int? {
        func value(_ key: String) -> String? { (try? TOMLKeyEditor.valueText(at: ["statesync", key], in: configTOML)).flatMap { $0 } }
        let servers = TOMLValue.string(StateSyncSettings.originalRPCServers.joined(separator: ",")).description
        guard value("enable") == "true", value("rpc_servers") == servers,
              let height = value("trust_height").flatMap({ Int($0) }), height > 0,
              let hash = value("trust_hash"), hash.count > 2 else { return nil }
        return height
    }

    /// The state-sync keys of config.toml set to a fresh trusted block, whatever the node holds.
    static func stateSyncEdit(_ config: NodeConfig, seedAPI: SeedAPI, checkMode: Bool = false) -> Step {
        RemoteTOMLEditStep.make("config.toml state sync", path: configTOMLPath(config), checkMode: checkMode) { context in
            let settings = try await trustedBlock(seedAPI: seedAPI)
            context.log(.info, "Trust height: \(settings.trustHeight), Trust hash: \(settings.trustHash)")
            return Array(ChainConfigEdits.configTOML(persistentPeers: config.persistentPeers, stateSync: settings).dropFirst())
        }
    }

    /// The trusted block: the seed node's latest height minus ``trustDistance`` and its hash.
    /// The original falls back to a fixed old block when the lookup fails; this stops instead.
    static func trustedBlock(seedAPI: SeedAPI) async throws -> StateSyncSettings {
        let status = try await seedAPI.chainRPC("status")
        guard let latest = JSONValue(parsing: status)?.value(at: ["result", "sync_info", "latest_block_height"])?.integerFromNumberOrText else {
            throw StepFailure("the seed node's chain RPC gave no latest block height")
        }
        let height = latest - trustDistance
        let block = try await seedAPI.chainRPC("block?height=\(height)")
        guard let hash = JSONValue(parsing: block)?.value(at: ["result", "block_id", "hash"])?.stringValue else {
            throw StepFailure("the seed node's chain RPC gave no hash of block \(height)")
        }
        do {
            return try StateSyncSettings(trustHeight: height, trustHash: hash)
        } catch {
            throw StepFailure("the seed node's trusted block is unusable: \(error.message)")
        }
    }

    /// The node container restarted when a step of this phase changed a file, so it reads
    /// them, or started when it is not running (a run that stopped after a reset).
    static func nodeRestart(_ config: NodeConfig) -> Step {
        let running = "\(BasicServicesPhase.compose(config)) ps --status running --services | grep -qx node"
        return Step(
            "node restart",
            check: .swift { context in
                guard context.facts[RemoteTOMLEditStep.changedFact] == nil else { return false }
                return try await context.run(running).succeeded
            },
            action: .shell("\(BasicServicesPhase.compose(config)) restart node"))
    }
}
