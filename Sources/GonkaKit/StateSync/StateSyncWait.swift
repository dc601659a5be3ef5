import FleetKit
import Foundation

/// Waiting for state sync, as the original's phase 5 monitor: the node's height is read on
/// the server every ``DeployWaits/syncCheckInterval``; above ``syncedHeight`` the node is
/// synced. Progress is the last `chunk=<n>` of the node's log. Unlike the original, a stuck
/// sync is not "fixed" behind the operator's back (its fix can delete chain data): the wait
/// ends with a warning that names the fix (``StuckSyncFix``), as the caller's command when it gives one. Never fatal: state sync goes on
/// in the background.
public enum StateSyncWait {
    /// Heights at or below this count as not synced, as in the original.
    public static let syncedHeight = 100
    /// The chunk count the original shows progress against.
    public static let snapshotChunks = 368

    /// What one wait ended with.
    public enum Outcome: Sendable, Equatable {
        /// The node reports this height, above ``syncedHeight``.
        case synced(height: Int)
        /// The same chunk was seen on `checks` readings in a row after the first.
        case stuck(chunk: Int, checks: Int)
        /// Every reading was taken and the node is still syncing.
        case stillSyncing(checks: Int)
    }

    /// Follows the readings of chunks: the count of readings in a row that saw the same
    /// chunk as the one before, and when that makes the sync stuck.
    public struct StuckDetector: Sendable {
        private var last: Int?
        /// Readings in a row with an unchanged chunk.
        public private(set) var repeats = 0
        /// Readings with an unchanged chunk that make the sync stuck.
        public let limit: Int

        /// Creates a detector for `limit` unchanged readings.
        public init(limit: Int) { self.limit = limit }

        /// Takes one reading; `true` when the sync is now stuck. A reading without a chunk changes nothing.
        public mutating func observe(_ chunk: Int?) -> Bool {
            guard let chunk else { return false }
            if chunk == last { repeats += 1 } else { repeats = 0; last = chunk }
            return repeats >= limit
        }
    }

    /// Reads until synced, stuck or out of readings (at least one), pausing on the run's
    /// clock; logs progress lines as the original does.
    public static func wait(_ context: HostContext, waits: DeployWaits) async throws -> Outcome {
        var detector = StuckDetector(limit: waits.stuckAfter)
        let readings = max(waits.syncChecks, 1)
        for attempt in 1...readings {
            if attempt > 1 { try await context.sleep(for: waits.syncCheckInterval) }
            if let height = try await NodeServerProbe.chainHeight(context), height > syncedHeight { return .synced(height: height) }
            let chunk = try await NodeServerProbe.syncChunk(context)
            let progress = chunk.map { "State-sync progress: chunk ~\($0)/\(snapshotChunks)" } ?? "State-sync in progress..."
            context.log(.info, "\(progress) (attempt \(attempt)/\(readings))")
            if detector.observe(chunk), let chunk { return .stuck(chunk: chunk, checks: detector.repeats) }
        }
        return .stillSyncing(checks: readings)
    }

    /// The step: SKIP-like OK when the node is synced already; otherwise wait (not in check
    /// mode, nor with no readings to take) and report how it ended.
    public static func step(_ config: NodeConfig, waits: DeployWaits, checkMode: Bool, fixSyncCommand: String?) -> Step {
        Step.observe("state sync", timeout: waits.syncWaitLimit) { context in
            let height = try await NodeServerProbe.chainHeight(context)
            if let height, height > syncedHeight { return .fine("Node is synced: block height \(height)") }
            if checkMode || waits.syncChecks == 0 {
                return .warning("State sync has not finished yet (block height: \(height.map(String.init) ?? "none"))")
            }
            return finding(try await wait(context, waits: waits), config: config, waits: waits, fixSyncCommand: fixSyncCommand)
        }
    }

    /// The line for an outcome, with what to do next; `fixSyncCommand` is how the caller runs
    /// the stuck-sync fix (a tool's command line), `nil` to name the fix itself.
    public static func finding(_ outcome: Outcome, config: NodeConfig, waits: DeployWaits, fixSyncCommand: String?) -> StepFinding {
        switch outcome {
        case .synced(let height):
            return .fine("State-sync completed! Current block height: \(height)")
        case .stuck(let chunk, let checks):
            let seconds = Int(waits.syncCheckInterval.components.seconds) * checks
            let remedy = fixSyncCommand.map { "to fix it, run: \($0)" } ?? "to fix it, run the stuck state-sync fix (\(StuckSyncFix.title))"
            return .warning("State-sync stuck at chunk \(chunk) for \(checks) checks (\(seconds) seconds); \(remedy)")
        case .stillSyncing(let checks):
            let minutes = Int(waits.syncCheckInterval.components.seconds) * checks / 60
            return .warning("State-sync still in progress after \(checks) checks (\(minutes) minutes); it continues in the background. "
                + "Follow it with: ssh \(config.sshUser)@\(config.serverAddress.urlHost) 'docker logs node --tail 50'")
        }
    }
}
