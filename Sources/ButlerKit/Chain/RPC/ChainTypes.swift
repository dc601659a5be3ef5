import FleetKit

/// Which block a read is made at.
public enum BlockTag: Sendable, Hashable, CustomStringConvertible {
    /// The newest block.
    case latest
    /// The newest safe block.
    case safe
    /// The newest finalized block.
    case finalized
    /// The genesis block.
    case earliest
    /// A block by number.
    case number(UInt64)

    /// The JSON-RPC parameter: a tag name or a hex quantity.
    public var jsonValue: JSONValue { .string(description) }

    /// `latest`, `safe`, `finalized`, `earliest` or a hex block number.
    public var description: String {
        switch self {
        case .latest: "latest"
        case .safe: "safe"
        case .finalized: "finalized"
        case .earliest: "earliest"
        case .number(let number): "0x" + String(number, radix: 16)
        }
    }
}

/// A read-only contract call: a target contract and call data (selector + encoded arguments).
public struct EthereumCall: Sendable, Hashable {
    /// The contract called.
    public let to: EthereumAddress
    /// The call data.
    public let data: [UInt8]

    /// Creates a call.
    public init(to: EthereumAddress, data: [UInt8]) {
        self.to = to
        self.data = data
    }
}

/// What a contract call revert carried.
public struct Revert: Sendable, Hashable, CustomStringConvertible {
    /// The raw revert data (selector and arguments), empty when the node sent none.
    public let data: [UInt8]
    /// The node's error message, when the revert came back as a JSON-RPC error.
    public let nodeMessage: String?

    /// Creates a revert.
    public init(data: [UInt8], nodeMessage: String? = nil) {
        self.data = data
        self.nodeMessage = nodeMessage
    }

    /// The reason: the text of `Error(string)`, `panic 0x..` for `Panic(uint256)`, the custom
    /// error selector, or the node's message.
    public var reason: String? {
        if data.count >= 4 {
            let selector = Array(data.prefix(4))
            let arguments = Array(data.dropFirst(4))
            if selector == Self.errorStringSelector,
                let text = (try? ABIDecoder.decode(arguments, as: .string))?.stringValue
            {
                return text
            }
            if selector == Self.panicSelector, let code = (try? ABIDecoder.decode(arguments, as: .uint256))?.uintValue {
                return "panic \(code.hexQuantity)"
            }
            return "custom error \(Hex.encode(selector))"
        }
        return nodeMessage
    }

    /// `reverted: <reason>` or `reverted without a reason`.
    public var description: String {
        reason.map { "reverted: \($0)" } ?? "reverted without a reason"
    }

    static let errorStringSelector = FunctionSelector(signature: "Error(string)").bytes
    static let panicSelector = FunctionSelector(signature: "Panic(uint256)").bytes
}

/// The outcome of a read-only call: the return data, or a revert. A revert is a value, not an error.
public enum CallOutcome: Sendable, Hashable {
    /// The call returned this data.
    case success([UInt8])
    /// The call reverted.
    case reverted(Revert)

    /// The return data, or `nil` on a revert.
    public var returnData: [UInt8]? {
        if case .success(let data) = self { data } else { nil }
    }
}

/// The parts of a block header the chain layer uses.
public struct BlockSummary: Sendable, Hashable {
    /// The block number.
    public let number: UInt64
    /// The block hash, `0x`-prefixed hex.
    public let hash: String
    /// Seconds since 1970 (the block's `timestamp`).
    public let timestamp: UInt64

    /// Creates a summary.
    public init(number: UInt64, hash: String, timestamp: UInt64) {
        self.number = number
        self.hash = hash
        self.timestamp = timestamp
    }
}

/// An event log entry.
public struct EthereumLog: Sendable, Hashable {
    /// The contract that emitted it.
    public let address: EthereumAddress
    /// Topics; topic 0 identifies the event unless it is anonymous.
    public let topics: [[UInt8]]
    /// The non-indexed event arguments, ABI-encoded.
    public let data: [UInt8]
    /// The block it is in.
    public let blockNumber: UInt64
    /// The hash of that block.
    public let blockHash: String
    /// The transaction that emitted it.
    public let transactionHash: String
    /// Its position in the block.
    public let logIndex: UInt64

    /// Creates a log entry.
    public init(
        address: EthereumAddress, topics: [[UInt8]], data: [UInt8], blockNumber: UInt64, blockHash: String,
        transactionHash: String, logIndex: UInt64
    ) {
        self.address = address
        self.topics = topics
        self.data = data
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.transactionHash = transactionHash
        self.logIndex = logIndex
    }
}

/// Which logs to fetch: contract, topics and an inclusive block range.
public struct LogFilter: Sendable, Hashable {
    /// The emitting contract.
    public var address: EthereumAddress
    /// Per-position topic filters; `nil` at a position matches anything there.
    public var topics: [[UInt8]?]
    /// First block, inclusive.
    public var fromBlock: UInt64
    /// Last block, inclusive; `nil` means the newest block at the time of the read.
    public var toBlock: UInt64?

    /// Creates a filter.
    public init(address: EthereumAddress, topics: [[UInt8]?] = [], fromBlock: UInt64, toBlock: UInt64? = nil) {
        self.address = address
        self.topics = topics
        self.fromBlock = fromBlock
        self.toBlock = toBlock
    }
}

/// How many reads are grouped into HTTP requests.
public enum BatchReadStrategy: Sendable, Hashable {
    /// Group calls into Multicall3 `aggregate3` calls of `callsPerAggregate` each, and send those
    /// as JSON-RPC batches: N reads cost about N / (callsPerAggregate × maxBatchSize) requests.
    case multicall3(address: EthereumAddress = Multicall3.canonicalAddress, callsPerAggregate: Int = 500)
    /// One `eth_call` per read, sent as JSON-RPC batches of the client's `maxBatchSize`.
    case jsonRPCBatch
    /// One HTTP request per read (what nodes without batch support need).
    case oneCallEach
}
