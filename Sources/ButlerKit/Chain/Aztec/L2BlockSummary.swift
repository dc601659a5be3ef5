import FleetKit
import Foundation

/// What a sanity check needs of one L2 block: its number, its identity, its time and how
/// many transactions it holds, read from `node_getBlocks` or `node_getBlock`.
///
/// The identity is the archive root after the block (`archive.root`), the value blocks are
/// chained by: the same height with another archive root is another block. A `hash` member,
/// where a node version sends one, is used instead.
public struct L2BlockSummary: Sendable, Codable, Equatable {
    /// The block number (`header.globalVariables.blockNumber`).
    public var number: UInt64
    /// The block's identity: `hash`, else `archive.root`.
    public var hash: String
    /// Seconds since 1970 (`header.globalVariables.timestamp`).
    public var timestamp: UInt64
    /// Transactions in the block (`body.txEffects`).
    public var transactions: Int

    /// Creates a summary.
    public init(number: UInt64, hash: String, timestamp: UInt64, transactions: Int) {
        self.number = number
        self.hash = hash
        self.timestamp = timestamp
        self.transactions = transactions
    }

    /// Reads one block of a node's answer; `method` names the call in errors.
    ///
    /// - Throws: ``ChainReadError/unexpectedResult(method:detail:)`` when a field is missing.
    public init(block: JSONValue, method: String) throws {
        let variables = block.value(at: ["header", "globalVariables"])
        guard let number = variables?["blockNumber"], let timestamp = variables?["timestamp"] else {
            throw ChainReadError.unexpectedResult(method: method, detail: "a block without header.globalVariables.blockNumber and timestamp")
        }
        guard let hash = block["hash"]?.stringValue ?? block.value(at: ["archive", "root"])?.stringValue else {
            throw ChainReadError.unexpectedResult(method: method, detail: "a block without hash or archive.root")
        }
        guard let effects = block.value(at: ["body", "txEffects"])?.arrayValue else {
            throw ChainReadError.unexpectedResult(method: method, detail: "a block without body.txEffects")
        }
        self.init(number: try number.quantity64(method, field: "blockNumber"), hash: hash,
                  timestamp: try timestamp.quantity64(method, field: "timestamp"), transactions: effects.count)
    }
}

extension AztecNodeClient {
    /// The most blocks one `node_getBlocks` call asks for (the node's own limit is 100).
    public static let maximumBlocksPerCall = 100

    /// `node_getBlocks(from, limit)`: up to `limit` blocks from `from` on, in order (fewer
    /// when the chain is shorter).
    public func blocks(from: UInt64, limit: Int) async throws -> [L2BlockSummary] {
        let method = "node_getBlocks"
        let count = max(1, min(limit, Self.maximumBlocksPerCall))
        let result = try await rpc.call(method, [.integer(Int64(clamping: max(from, 1))), .integer(Int64(count))])
        guard let blocks = result.arrayValue else {
            throw ChainReadError.unexpectedResult(method: method, detail: "expected an array of blocks but got \(result)")
        }
        return try blocks.map { try L2BlockSummary(block: $0, method: method) }
    }

    /// `node_getPendingTxCount`: transactions in the node's pool waiting for a block.
    public func pendingTransactionCount() async throws -> UInt64 {
        try (try await rpc.call("node_getPendingTxCount")).quantity64("node_getPendingTxCount")
    }
}
