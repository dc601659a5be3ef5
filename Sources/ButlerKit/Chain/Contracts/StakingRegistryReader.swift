/// A staking provider's registration (`providerConfigurations(uint256)`).
public struct ProviderConfiguration: Sendable, Hashable {
    /// The provider identifier.
    public let identifier: UInt64
    /// The admin address that manages the provider.
    public let admin: EthereumAddress
    /// The provider's take rate in basis points.
    public let takeRate: UInt16
    /// Where the provider's rewards go.
    public let rewardsRecipient: EthereumAddress
}

/// The bounds of a provider queue: entries live at absolute indexes `first ..< last`.
public struct ProviderQueueBounds: Sendable, Hashable {
    /// The first index in the queue (inclusive).
    public let first: UInt64
    /// The index after the last entry (exclusive); an empty queue has `first == last`.
    public let last: UInt64

    /// The number of queued entries.
    public var count: UInt64 { last > first ? last - first : 0 }
}

/// A `StakedWithProvider` event: an attester staked through a provider, with its coinbase split contract.
public struct StakedWithProvider: Sendable, Hashable {
    /// The provider identifier (topic 1).
    public let providerIdentifier: UInt64
    /// The rollup staked into (topic 2).
    public let rollup: EthereumAddress
    /// The attester (topic 3).
    public let attester: EthereumAddress
    /// The split contract that must be the attester's coinbase.
    public let coinbaseSplitContract: EthereumAddress
    /// The staker implementation used.
    public let stakerImplementation: EthereumAddress
    /// The block of the event.
    public let blockNumber: UInt64
    /// The hash of that block.
    public let blockHash: String
    /// The transaction that emitted it.
    public let transactionHash: String
}

/// Typed reads of the StakingRegistry: provider lookup, provider queues and stake events.
public struct StakingRegistryReader: Sendable {
    /// The registry's functions and events used here.
    public enum Functions {
        /// `providerConfigurations(uint256)` → `(address providerAdmin, uint16 providerTakeRate, address providerRewardsRecipient)`.
        public static let providerConfigurations = ContractFunction(
            "providerConfigurations", inputs: [.uint256], outputs: [.address, .uint(16), .address])
        /// `nextProviderIdentifier()`; identifiers start at 1.
        public static let nextProviderIdentifier = ContractFunction("nextProviderIdentifier", outputs: [.uint256])
        /// `getProviderQueueLength(uint256)`.
        public static let getProviderQueueLength = ContractFunction("getProviderQueueLength", inputs: [.uint256], outputs: [.uint256])
        /// `getFirstIndexInQueue(uint256)`.
        public static let getFirstIndexInQueue = ContractFunction("getFirstIndexInQueue", inputs: [.uint256], outputs: [.uint(128)])
        /// `getLastIndexInQueue(uint256)`, exclusive.
        public static let getLastIndexInQueue = ContractFunction("getLastIndexInQueue", inputs: [.uint256], outputs: [.uint(128)])
        /// `getValueAtIndexInQueue(uint256,uint128)` → `(address attester, (u,u), (u,u,u,u), (u,u))`.
        public static let getValueAtIndexInQueue = ContractFunction(
            "getValueAtIndexInQueue", inputs: [.uint256, .uint(128)],
            outputs: [.tuple([.address, .tuple([.uint256, .uint256]), .tuple([.uint256, .uint256, .uint256, .uint256]), .tuple([.uint256, .uint256])])])
        /// The signature of the `StakedWithProvider` event.
        public static let stakedWithProviderSignature = "StakedWithProvider(uint256,address,address,address,address)"
        /// Topic 0 of `StakedWithProvider`: `0xc91c8b4e…d5c7`.
        public static let stakedWithProviderTopic = EventTopic(signature: stakedWithProviderSignature)
    }

    /// The client reads go through.
    public let client: EthereumClient
    /// The StakingRegistry contract.
    public let registry: EthereumAddress
    /// How reads are grouped into requests.
    public let strategy: BatchReadStrategy

    /// Creates a reader of the registry at `registry`.
    public init(client: EthereumClient, registry: EthereumAddress, strategy: BatchReadStrategy = .multicall3()) {
        self.client = client
        self.registry = registry
        self.strategy = strategy
    }

    /// `nextProviderIdentifier()`: one more than the highest registered identifier.
    public func nextProviderIdentifier(at block: BlockTag = .latest) async throws -> UInt64 {
        let function = Functions.nextProviderIdentifier
        let values = try function.decodeOutcome(try await client.call(try function.call(on: registry), at: block), from: registry)
        return try smallNumber(values.first, function: function)
    }

    /// The configurations of the given providers, in order.
    public func providerConfigurations(_ identifiers: [UInt64], at block: BlockTag = .latest) async throws -> [ProviderConfiguration] {
        let function = Functions.providerConfigurations
        let calls = try identifiers.map { try function.call(on: registry, [.unsigned($0)]) }
        let outcomes = try await client.call(calls, at: block, strategy: strategy)
        return try zip(identifiers, outcomes).map { identifier, outcome in
            let values = try function.decodeOutcome(outcome, from: registry)
            guard values.count == 3, let admin = values[0].addressValue,
                let rate = values[1].uintValue?.uint64Value.flatMap({ UInt16(exactly: $0) }),
                let recipient = values[2].addressValue
            else {
                throw ChainReadError.unexpectedResult(method: function.signature, detail: "provider \(identifier) has an unexpected configuration")
            }
            return ProviderConfiguration(identifier: identifier, admin: admin, takeRate: rate, rewardsRecipient: recipient)
        }
    }

    /// The identifier of the provider whose admin is `admin`, or `nil` when none is.
    ///
    /// Scans identifiers `1 ..< nextProviderIdentifier()` in batched reads; addresses compare
    /// by bytes, so letter case does not matter. Returns the lowest matching identifier.
    public func providerIdentifier(forAdmin admin: EthereumAddress, at block: BlockTag = .latest) async throws -> UInt64? {
        try await provider(forAdmin: admin, at: block)?.identifier
    }

    /// The configuration of the provider whose admin is `admin` (identifier, take rate,
    /// rewards recipient), or `nil` when none is; the same bounded scan as
    /// ``providerIdentifier(forAdmin:at:)``.
    public func provider(forAdmin admin: EthereumAddress, at block: BlockTag = .latest) async throws -> ProviderConfiguration? {
        let pinned = try await client.pinned(block)
        let next = try await nextProviderIdentifier(at: pinned)
        guard next > 1 else { return nil }
        try checkEntryCount(next, what: "providers", function: Functions.nextProviderIdentifier)
        let configurations = try await providerConfigurations(Array(1..<next), at: pinned)
        return configurations.first { $0.admin == admin }
    }

    /// The bounds of a provider's queue (first inclusive, last exclusive).
    public func providerQueueBounds(_ provider: UInt64, at block: BlockTag = .latest) async throws -> ProviderQueueBounds {
        let functions = [Functions.getFirstIndexInQueue, Functions.getLastIndexInQueue]
        let calls = try functions.map { try $0.call(on: registry, [.unsigned(provider)]) }
        let outcomes = try await client.call(calls, at: block, strategy: strategy)
        let numbers = try zip(functions, outcomes).map { function, outcome in
            try smallNumber(try function.decodeOutcome(outcome, from: registry).first, function: function)
        }
        guard numbers.count == 2 else {
            throw ChainReadError.unexpectedResult(method: "provider queue bounds", detail: "expected 2 results")
        }
        return ProviderQueueBounds(first: numbers[0], last: numbers[1])
    }

    /// `getProviderQueueLength(uint256)`.
    public func providerQueueLength(_ provider: UInt64, at block: BlockTag = .latest) async throws -> UInt64 {
        let function = Functions.getProviderQueueLength
        let values = try function.decodeOutcome(try await client.call(try function.call(on: registry, [.unsigned(provider)]), at: block), from: registry)
        return try smallNumber(values.first, function: function)
    }

    /// Every entry in a provider's queue, in queue order, read at one block.
    public func providerQueue(_ provider: UInt64, at block: BlockTag = .latest) async throws -> [QueuedValidator] {
        let pinned = try await client.pinned(block)
        let bounds = try await providerQueueBounds(provider, at: pinned)
        guard bounds.count > 0 else { return [] }
        try checkEntryCount(bounds.count, what: "queue entries", function: Functions.getLastIndexInQueue)
        let function = Functions.getValueAtIndexInQueue
        let calls = try (bounds.first..<bounds.last).map { try function.call(on: registry, [.unsigned(provider), .unsigned($0)]) }
        let outcomes = try await client.call(calls, at: pinned, strategy: strategy)
        return try outcomes.map { outcome in
            try QueuedValidator(decoded: try function.decodeOutcome(outcome, from: registry).first, function: function.signature, hasWithdrawer: false)
        }
    }

    /// `StakedWithProvider` events of `provider` between two blocks (inclusive), decoded.
    ///
    /// - Parameter chunkSize: blocks per `eth_getLogs` request; halved automatically when the node refuses.
    public func stakedWithProviderEvents(
        provider: UInt64, fromBlock: UInt64, toBlock: UInt64? = nil, chunkSize: UInt64 = 10_000
    ) async throws -> [StakedWithProvider] {
        let filter = LogFilter(
            address: registry,
            topics: [Functions.stakedWithProviderTopic.bytes, UInt256(provider).bigEndianBytes],
            fromBlock: fromBlock, toBlock: toBlock)
        let logs = try await client.logs(filter, chunkSize: chunkSize)
        return try logs.map(Self.decodeStakedWithProvider)
    }

    /// Decodes one `StakedWithProvider` log.
    public static func decodeStakedWithProvider(_ log: EthereumLog) throws -> StakedWithProvider {
        let name = "StakedWithProvider log"
        guard log.topics.count == 4, log.topics[0] == Functions.stakedWithProviderTopic.bytes else {
            throw ChainReadError.unexpectedResult(method: name, detail: "log \(log.logIndex) of block \(log.blockNumber) is not a StakedWithProvider event")
        }
        let topicValues: [ABIValue]
        let dataValues: [ABIValue]
        do {
            topicValues = try ABIDecoder.decode(log.topics[1] + log.topics[2] + log.topics[3], as: [.uint256, .address, .address], context: "\(name) topics")
            dataValues = try ABIDecoder.decode(log.data, as: [.address, .address], context: "\(name) data")
        } catch {
            throw ChainReadError.undecodable(function: name, contract: log.address, error: error)
        }
        guard let provider = topicValues[0].uintValue?.uint64Value, let rollup = topicValues[1].addressValue,
            let attester = topicValues[2].addressValue, let split = dataValues[0].addressValue,
            let implementation = dataValues[1].addressValue
        else {
            throw ChainReadError.unexpectedResult(method: name, detail: "log \(log.logIndex) of block \(log.blockNumber) has unexpected values")
        }
        return StakedWithProvider(
            providerIdentifier: provider, rollup: rollup, attester: attester, coinbaseSplitContract: split,
            stakerImplementation: implementation, blockNumber: log.blockNumber, blockHash: log.blockHash,
            transactionHash: log.transactionHash)
    }
}
