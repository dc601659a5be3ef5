import FleetKit
import Foundation

/// The node's chain data folder (`.inference/data`): what the stuck-sync fix keeps of it,
/// and the explicit reset. Nothing else in a deployment ever deletes it.
public enum ChainData {
    /// Chain data larger than this (MiB) is kept by the stuck-sync fix, as in the original:
    /// only the node's init marker and cosmovisor folder go, so the node re-initialises.
    public static let keptAboveMiB = 1000

    /// What the stuck-sync fix does with chain data of a given size.
    public enum FixDecision: Sendable, Equatable {
        /// Keep the data; remove `.node_initialized` and `cosmovisor` only.
        case keep
        /// Remove the partial data of an unfinished sync.
        case remove
    }

    /// Keep above ``keptAboveMiB``, remove at or below it.
    public static func fixDecision(sizeMiB: Int) -> FixDecision { sizeMiB > keptAboveMiB ? .keep : .remove }

    /// The size of the chain data folder in MiB (`du -sm`), 0 when it does not exist.
    static func sizeMiB(_ config: NodeConfig, _ context: HostContext) async throws -> Int {
        let data = ShellQuote.quote(BlockchainConfigurationPhase.dataPath(config))
        let result = try await context.run("if \(Privilege.asRoot) test -d \(data); then \(Privilege.asRoot) du -sm \(data); else echo 0; fi")
        guard result.succeeded, let size = Int(result.standardOutput.split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\n" }).first ?? "") else {
            throw StepFailure("cannot measure \(BlockchainConfigurationPhase.dataPath(config)) (\(result.summary)): \(result.tail(lines: 2))")
        }
        return size
    }

    /// The shell line that empties the data folder and leaves it in place.
    static func removeCommand(_ config: NodeConfig) -> String {
        let data = ShellQuote.quote(BlockchainConfigurationPhase.dataPath(config))
        return "\(Privilege.asRoot) rm -rf \(data) && \(Privilege.asRoot) mkdir -p \(data)"
    }

    /// A chain-data reset: the node stopped and its chain data removed, so the state-sync
    /// step that follows configures a fresh sync and the node restarts. The run asks
    /// for confirmation before a run carries this step.
    static func resetStep(_ config: NodeConfig) -> Step {
        Step(
            "chain data reset",
            action: .swift { context in
                let result = try await context.run(RemoteCommand(
                    "\(BasicServicesPhase.compose(config)) stop node && \(removeCommand(config))", timeout: .seconds(900)))
                guard result.succeeded else {
                    throw StepFailure("cannot reset the chain data (\(result.summary)): \(result.tail(lines: 2))")
                }
                context.facts[RemoteTOMLEditStep.changedFact] = "yes"
                context.log(.ok, "Data directory cleaned and ready for state-sync")
            },
            timeout: .seconds(900))
    }
}
