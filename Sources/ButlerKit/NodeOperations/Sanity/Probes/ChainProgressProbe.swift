import FleetKit
import Foundation

/// Samples a node's chain through ``AztecNodeClient``: `node_getBlockNumber`,
/// `node_getProvenBlockNumber` and `node_getPendingTxCount` at the start and the end of a
/// window, `node_isReady` and `node_getValidatorsStats` (where the node answers it) at the
/// start, and `node_getBlocks`: the newest ``reorgLookback`` blocks at the start, the same
/// heights and every new block at the end (transaction counts, timestamps, identities).
///
/// ``begin(_:)`` and ``end(_:_:)`` are separate so a fleet can take every node's first
/// samples, wait one window for all, then take the second ones.
public struct ChainProgressProbe: Sendable {
    /// Time between the two samples.
    public var window: Duration
    /// Time source of the wait.
    public var clock: any FleetClock

    /// Blocks below the tip whose identity is read at the start and compared at the end:
    /// a reorg replacing any of them is seen.
    public static let reorgLookback: UInt64 = 4

    /// Creates a probe.
    public init(window: Duration, clock: any FleetClock = SystemClock()) {
        self.window = window
        self.clock = clock
    }

    /// The client options a probe wants: a short timeout and no retries, so an unanswering
    /// node is reported within the check's time.
    public static func clientOptions(timeout: Duration) -> JSONRPCClientOptions {
        (try? JSONRPCClientOptions(timeout: max(timeout, .seconds(1)), retry: .none)) ?? .standard
    }

    /// The first samples; a node that does not answer has ``ChainProgress/problem`` set.
    public func begin(_ client: AztecNodeClient) async -> ChainProgress {
        var progress = ChainProgress(windowSeconds: window.seconds)
        do {
            progress.startBlock = try await client.blockNumber()
            progress.startProven = try await client.provenBlockNumber()
            progress.ready = try await client.isReady()
        } catch {
            progress.problem = String(describing: error)
            return progress
        }
        // Nodes without the sentinel answer an error: no duties to report, not a problem.
        progress.validators = try? await client.validatorsStats().validators.values.map(ValidatorDutyRecord.init).sorted { $0.address < $1.address }
        // Older nodes answer neither: no throughput, inclusion or reorg evidence, not a problem.
        progress.startPending = try? await client.pendingTransactionCount()
        if let start = progress.startBlock, start > 0 {
            let first = Self.firstCompared(start)
            progress.startBlocks = try? await client.blocks(from: first, limit: Int(start - first + 1))
        }
        return progress
    }

    /// The second samples, taken now.
    public func end(_ progress: ChainProgress, _ client: AztecNodeClient) async -> ChainProgress {
        guard progress.problem == nil else { return progress }
        var progress = progress
        do {
            progress.endBlock = try await client.blockNumber()
            progress.endProven = try await client.provenBlockNumber()
        } catch {
            progress.problem = String(describing: error)
            return progress
        }
        if progress.startPending != nil { progress.endPending = try? await client.pendingTransactionCount() }
        if progress.startBlocks != nil, let start = progress.startBlock, let end = progress.endBlock {
            let first = Self.firstCompared(start)
            let last = max(start, end)
            progress.endBlocks = try? await client.blocks(from: first, limit: Int(min(last - first + 1, UInt64(AztecNodeClient.maximumBlocksPerCall))))
        }
        return progress
    }

    /// The lowest height compared for reorgs when the tip was `start`.
    static func firstCompared(_ start: UInt64) -> UInt64 { start > reorgLookback ? start - reorgLookback + 1 : 1 }

    /// Both samples of one node, a window apart.
    public func sample(_ client: AztecNodeClient) async -> ChainProgress {
        let first = await begin(client)
        guard first.problem == nil else { return first }
        do {
            try await clock.sleep(for: window)
        } catch {
            var cancelled = first
            cancelled.problem = "cancelled during the window"
            return cancelled
        }
        return await end(first, client)
    }
}
