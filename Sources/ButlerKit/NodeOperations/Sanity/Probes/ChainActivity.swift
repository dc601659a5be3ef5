import FleetKit
import Foundation

/// Transactions per second and block fill over a set of blocks.
public struct Throughput: Sendable, Codable, Equatable {
    /// Blocks counted.
    public var blocks: Int
    /// Transactions in them.
    public var transactions: Int
    /// Blocks holding at least one transaction.
    public var nonEmptyBlocks: Int
    /// Seconds the blocks cover: from the block before the first to the last, by their own
    /// timestamps; the sampling window when they give no span.
    public var seconds: Double

    /// Transactions per second.
    public var transactionsPerSecond: Double { seconds > 0 ? Double(transactions) / seconds : 0 }
    /// Mean transactions per block.
    public var transactionsPerBlock: Double { blocks > 0 ? Double(transactions) / Double(blocks) : 0 }

    /// The throughput of `blocks` (those after `base`), timed from `base`'s timestamp to the
    /// newest block's, or over `windowSeconds` when that gives no span.
    public init(blocks: [L2BlockSummary], base: L2BlockSummary?, windowSeconds: Double) {
        self.blocks = blocks.count
        transactions = blocks.reduce(0) { $0 + $1.transactions }
        nonEmptyBlocks = blocks.filter { $0.transactions > 0 }.count
        if let base, let last = blocks.max(by: { $0.number < $1.number }), last.timestamp > base.timestamp {
            seconds = Double(last.timestamp - base.timestamp)
        } else {
            seconds = windowSeconds
        }
    }

    /// "0.25 tx/s (30 txs in 4 blocks over 120 s, 7.5 per block, 4 of 4 blocks with transactions)".
    public var phrase: String {
        "\(Self.rate(transactionsPerSecond)) tx/s (\(Plural.count(transactions, "tx")) in \(Plural.count(blocks, "block")) over "
            + "\(SanityText.seconds(seconds)), \(String(format: "%.1f", transactionsPerBlock)) per block, \(nonEmptyBlocks) of \(blocks) blocks with transactions)"
    }

    static func rate(_ value: Double) -> String { String(format: value >= 10 ? "%.1f" : "%.2f", value) }
}

/// A block height whose block changed between the two samples, or a tip that went back.
public struct ObservedReorg: Sendable, Codable, Equatable {
    /// The lowest height whose block changed (or the first height the tip gave up).
    public var height: UInt64
    /// Blocks replaced or given up, up to the tip at the start.
    public var depth: UInt64
    /// The block at `height` at the start, when it was seen.
    public var before: String?
    /// The block at `height` at the end, when there was one.
    public var after: String?
}

extension ChainProgress {
    /// The blocks that appeared during the window, as the end sample saw them.
    public var windowBlocks: [L2BlockSummary]? {
        guard let startBlock, let endBlocks else { return nil }
        return endBlocks.filter { $0.number > startBlock }
    }

    /// The node's view of throughput over the window, when it answered `node_getBlocks`.
    public var throughput: Throughput? {
        guard let blocks = windowBlocks else { return nil }
        let base = (endBlocks ?? []).first { $0.number == startBlock } ?? (startBlocks ?? []).first { $0.number == startBlock }
        return Throughput(blocks: blocks, base: base, windowSeconds: windowSeconds)
    }

    /// The reorg seen between the samples: a height holding another block at the end than at
    /// the start, or the newest block lower at the end than at the start.
    public var reorg: ObservedReorg? {
        guard problem == nil, let startBlock, let endBlock else { return nil }
        let ended = Dictionary((endBlocks ?? []).map { ($0.number, $0.hash) }, uniquingKeysWith: { first, _ in first })
        for block in (startBlocks ?? []).sorted(by: { $0.number < $1.number }) {
            if let now = ended[block.number], now != block.hash {
                return ObservedReorg(height: block.number, depth: startBlock >= block.number ? startBlock - block.number + 1 : 1, before: block.hash, after: now)
            }
        }
        if endBlock < startBlock {
            return ObservedReorg(height: endBlock + 1, depth: startBlock - endBlock, before: (startBlocks ?? []).first { $0.number == endBlock + 1 }?.hash, after: nil)
        }
        return nil
    }

    /// Whether transactions waited at both samples while no block of the window included one.
    public func inclusionStalled(minimumPending: UInt64) -> Bool {
        guard let startPending, let endPending, let included = throughput?.transactions else { return false }
        return startPending >= minimumPending && endPending >= minimumPending && included == 0
    }
}
