import Foundation
import FleetKit

/// Typed Ethereum JSON-RPC reads: chain id, block number, balances, blocks, contract calls
/// (single, batched or through Multicall3) and logs with block-range chunking.
///
/// Network failures throw ``JSONRPCError``; answers of the wrong shape throw ``ChainReadError``;
/// a revert is returned as ``CallOutcome/reverted(_:)``.
public struct EthereumClient: Sendable {
    /// The JSON-RPC client underneath.
    public let rpc: JSONRPCClient

    /// Creates a client over an existing JSON-RPC client.
    public init(rpc: JSONRPCClient) {
        self.rpc = rpc
    }

    /// Creates a client for the node at `url`.
    public init(
        url: URL, options: JSONRPCClientOptions = .standard,
        transport: any HTTPTransport = URLSessionHTTPTransport()
    ) {
        rpc = JSONRPCClient(endpoint: url, options: options, transport: transport)
    }

    /// `eth_chainId`.
    public func chainID() async throws -> UInt64 {
        try await rpc.call("eth_chainId").quantity64("eth_chainId")
    }

    /// `eth_blockNumber`.
    public func blockNumber() async throws -> UInt64 {
        try await rpc.call("eth_blockNumber").quantity64("eth_blockNumber")
    }

    /// `eth_getBalance` in wei.
    public func balance(of address: EthereumAddress, at block: BlockTag = .latest) async throws -> UInt256 {
        try await rpc.call("eth_getBalance", [.string(address.lowercaseHex), block.jsonValue]).quantity("eth_getBalance")
    }

    /// Balances of many accounts, in the order given, in JSON-RPC batches.
    public func balances(of addresses: [EthereumAddress], at block: BlockTag = .latest) async throws -> [UInt256] {
        let results = try await rpc.batch(addresses.map { JSONRPCCall("eth_getBalance", [.string($0.lowercaseHex), block.jsonValue]) })
        return try results.map { try $0.get().quantity("eth_getBalance") }
    }

    /// `eth_getBlockByNumber` without transactions; `nil` when the node has no such block.
    public func block(_ block: BlockTag) async throws -> BlockSummary? {
        let result = try await rpc.call("eth_getBlockByNumber", [block.jsonValue, .bool(false)])
        return try Self.blockSummary(result)
    }

    /// Timestamps of many blocks, keyed by block number, in JSON-RPC batches.
    public func blockTimestamps(_ numbers: [UInt64]) async throws -> [UInt64: UInt64] {
        let unique = Array(Set(numbers)).sorted()
        let results = try await rpc.batch(unique.map { JSONRPCCall("eth_getBlockByNumber", [BlockTag.number($0).jsonValue, .bool(false)]) })
        var timestamps: [UInt64: UInt64] = [:]
        for (number, result) in zip(unique, results) {
            guard let summary = try Self.blockSummary(try result.get()) else {
                throw ChainReadError.unexpectedResult(method: "eth_getBlockByNumber", detail: "block \(number) is unknown to the node")
            }
            timestamps[number] = summary.timestamp
        }
        return timestamps
    }

    private static func blockSummary(_ result: JSONValue) throws -> BlockSummary? {
        let method = "eth_getBlockByNumber"
        if result == .null { return nil }
        guard let number = result["number"], let timestamp = result["timestamp"], let hash = result["hash"]?.stringValue else {
            throw ChainReadError.unexpectedResult(method: method, detail: "the block lacks number, hash or timestamp: \(result)")
        }
        return BlockSummary(
            number: try number.quantity64(method, field: "number"), hash: hash,
            timestamp: try timestamp.quantity64(method, field: "timestamp"))
    }

    /// `eth_call`; a revert comes back as ``CallOutcome/reverted(_:)``.
    public func call(_ call: EthereumCall, at block: BlockTag = .latest) async throws -> CallOutcome {
        do {
            let result = try await rpc.call("eth_call", Self.callParams(call, block))
            return .success(try result.hexData("eth_call"))
        } catch let error as JSONRPCError {
            if let revert = Self.revert(from: error) { return .reverted(revert) }
            throw error
        }
    }

    /// Many reads at one block, grouped into as few HTTP requests as `strategy` allows; one
    /// outcome per call, in order.
    public func call(
        _ calls: [EthereumCall], at block: BlockTag = .latest, strategy: BatchReadStrategy = .multicall3()
    ) async throws -> [CallOutcome] {
        if calls.isEmpty { return [] }
        switch strategy {
        case .oneCallEach:
            return try await withThrowingTaskGroup(of: (Int, CallOutcome).self) { group in
                for (index, single) in calls.enumerated() {
                    group.addTask { (index, try await call(single, at: block)) }
                }
                var outcomes = [CallOutcome](repeating: .success([]), count: calls.count)
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
        case .jsonRPCBatch:
            let results = try await rpc.batch(calls.map { JSONRPCCall("eth_call", Self.callParams($0, block)) })
            return try results.map(Self.outcome)
        case .multicall3(let address, let callsPerAggregate):
            let size = max(1, callsPerAggregate)
            let groups = stride(from: 0, to: calls.count, by: size).map { Array(calls[$0..<min($0 + size, calls.count)]) }
            let aggregateCalls = try groups.map {
                JSONRPCCall("eth_call", Self.callParams(EthereumCall(to: address, data: try Multicall3.aggregate3CallData($0)), block))
            }
            let results = try await rpc.batch(aggregateCalls)
            var outcomes: [CallOutcome] = []
            outcomes.reserveCapacity(calls.count)
            for (group, result) in zip(groups, results) {
                switch try Self.outcome(result) {
                case .success(let data):
                    outcomes += try Multicall3.decodeAggregate3(data, expecting: group.count, multicall: address)
                case .reverted(let revert):
                    throw ChainReadError.reverted(function: Multicall3.aggregate3.signature, contract: address, revert: revert)
                }
            }
            return outcomes
        }
    }

    private static func callParams(_ call: EthereumCall, _ block: BlockTag) -> [JSONValue] {
        [.object(["to": .string(call.to.lowercaseHex), "data": .string(Hex.encode(call.data))]), block.jsonValue]
    }

    private static func outcome(_ result: Result<JSONValue, JSONRPCError>) throws -> CallOutcome {
        switch result {
        case .success(let value): return .success(try value.hexData("eth_call"))
        case .failure(let error):
            if let revert = revert(from: error) { return .reverted(revert) }
            throw error
        }
    }

    /// Recognises the ways nodes report a revert: code 3 (geth, reth, anvil) or a message
    /// mentioning a revert, with the revert data in `data` (as hex, or nested under `data`).
    static func revert(from error: JSONRPCError) -> Revert? {
        guard case .server(let code, let message, let data) = error.kind else { return nil }
        guard code == 3 || message.lowercased().contains("revert") else { return nil }
        var revertData: [UInt8] = []
        if let text = data?.stringValue, let bytes = Hex.decode(text) {
            revertData = bytes
        } else if let text = data?["data"]?.stringValue, let bytes = Hex.decode(text) {
            revertData = bytes
        }
        return Revert(data: revertData, nodeMessage: message)
    }

    /// `eth_getLogs` over `filter`'s range in chunks of at most `chunkSize` blocks, halving a
    /// chunk whenever the node says the range or the result is too large.
    public func logs(_ filter: LogFilter, chunkSize: UInt64 = 10_000) async throws -> [EthereumLog] {
        var toBlock: UInt64
        if let explicitEnd = filter.toBlock {
            toBlock = explicitEnd
        } else {
            toBlock = try await blockNumber()
        }
        var logs: [EthereumLog] = []
        var start = filter.fromBlock
        var size = max(1, chunkSize)
        while start <= toBlock {
            let (candidateEnd, overflow) = start.addingReportingOverflow(size - 1)
            let end = overflow ? toBlock : min(toBlock, candidateEnd)
            do {
                logs += try await logsInRange(filter, from: start, to: end)
                if end == toBlock { break }
                start = end + 1
            } catch let error as JSONRPCError where Self.isRangeTooLarge(error) && end > start {
                let span = end - start  // the chunk holds span + 1 blocks; keep half, rounded up
                size = max(1, span / 2 + span % 2)
            }
        }
        return logs
    }

    private func logsInRange(_ filter: LogFilter, from start: UInt64, to end: UInt64) async throws -> [EthereumLog] {
        let method = "eth_getLogs"
        let topics: [JSONValue] = filter.topics.map { $0.map { .string(Hex.encode($0)) } ?? .null }
        let result = try await rpc.call(method, [
            .object([
                "address": .string(filter.address.lowercaseHex),
                "topics": .array(topics),
                "fromBlock": BlockTag.number(start).jsonValue,
                "toBlock": BlockTag.number(end).jsonValue,
            ])
        ])
        guard let entries = result.arrayValue else {
            throw ChainReadError.unexpectedResult(method: method, detail: "expected an array of logs but got \(result)")
        }
        return try entries.map { entry in
            guard let address = entry["address"]?.stringValue.flatMap(EthereumAddress.init(hex:)),
                let topics = entry["topics"]?.arrayValue, let data = entry["data"],
                let blockNumber = entry["blockNumber"], let blockHash = entry["blockHash"]?.stringValue,
                let transactionHash = entry["transactionHash"]?.stringValue, let logIndex = entry["logIndex"]
            else {
                throw ChainReadError.unexpectedResult(method: method, detail: "a log lacks a field: \(entry)")
            }
            return EthereumLog(
                address: address, topics: try topics.map { try $0.hexData(method, field: "topic") },
                data: try data.hexData(method, field: "data"),
                blockNumber: try blockNumber.quantity64(method, field: "blockNumber"), blockHash: blockHash,
                transactionHash: transactionHash, logIndex: try logIndex.quantity64(method, field: "logIndex"))
        }
    }

    /// Whether a node's error means "ask for fewer blocks": the phrasings of geth, Erigon,
    /// Alchemy, Infura, QuickNode and others, and code -32005 (limit exceeded).
    static func isRangeTooLarge(_ error: JSONRPCError) -> Bool {
        guard case .server(let code, let message, _) = error.kind else { return false }
        if code == -32005 { return true }
        let lowered = message.lowercased()
        return ["block range", "range too", "too large", "too many", "more than", "exceed", "limit"].contains {
            lowered.contains($0)
        }
    }
}
