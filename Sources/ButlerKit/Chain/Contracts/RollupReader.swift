/// Parameters of the rollup's entry queue and validator set, read together at one block.
public struct RollupQueueParameters: Sendable, Hashable {
    /// Attesters waiting in the entry queue.
    public let entryQueueLength: UInt64
    /// Attesters flushed into the validator set per flush (0 while bootstrapping).
    public let entryQueueFlushSize: UInt64
    /// Flushes available in the current epoch.
    public let availableValidatorFlushes: UInt64
    /// The next epoch in which the queue can be flushed.
    public let nextFlushableEpoch: UInt64
    /// Whether the validator set has been bootstrapped.
    public let isBootstrapped: Bool
    /// Epoch length in slots.
    public let epochDurationInSlots: UInt64
    /// Slot length in seconds.
    public let slotDurationInSeconds: UInt64
    /// The current epoch.
    public let currentEpoch: UInt64
    /// Attesters in the validator set.
    public let activeAttesterCount: UInt64

    /// Creates the parameters, for example from a cache or in tests.
    public init(entryQueueLength: UInt64, entryQueueFlushSize: UInt64, availableValidatorFlushes: UInt64, nextFlushableEpoch: UInt64,
                isBootstrapped: Bool, epochDurationInSlots: UInt64, slotDurationInSeconds: UInt64, currentEpoch: UInt64,
                activeAttesterCount: UInt64) {
        self.entryQueueLength = entryQueueLength
        self.entryQueueFlushSize = entryQueueFlushSize
        self.availableValidatorFlushes = availableValidatorFlushes
        self.nextFlushableEpoch = nextFlushableEpoch
        self.isBootstrapped = isBootstrapped
        self.epochDurationInSlots = epochDurationInSlots
        self.slotDurationInSeconds = slotDurationInSeconds
        self.currentEpoch = currentEpoch
        self.activeAttesterCount = activeAttesterCount
    }

    /// Epoch length in seconds.
    public var epochDurationInSeconds: UInt64 { epochDurationInSlots.multipliedReportingOverflow(by: slotDurationInSeconds).partialValue }
}

/// Typed reads of the Aztec rollup contract, batched so that many attesters or queue entries
/// cost a handful of HTTP requests.
public struct RollupReader: Sendable {
    /// The rollup's functions used here.
    public enum Functions {
        /// `getAttesterView(address)`, selector `0x34a51ed5`.
        public static let getAttesterView = ContractFunction("getAttesterView", inputs: [.address], outputs: [AttesterView.abiType])
        /// `getStatus(address)`.
        public static let getStatus = ContractFunction("getStatus", inputs: [.address], outputs: [.uint(8)])
        /// `getEntryQueueLength()`.
        public static let getEntryQueueLength = ContractFunction("getEntryQueueLength", outputs: [.uint256])
        /// `getEntryQueueAt(uint256)`, index relative to the queue head.
        public static let getEntryQueueAt = ContractFunction(
            "getEntryQueueAt", inputs: [.uint256],
            outputs: [.tuple([.address, .address, .tuple([.uint256, .uint256]), .tuple([.uint256, .uint256, .uint256, .uint256]), .tuple([.uint256, .uint256]), .bool])])
        /// `getEntryQueueFlushSize()`.
        public static let getEntryQueueFlushSize = ContractFunction("getEntryQueueFlushSize", outputs: [.uint256])
        /// `getAvailableValidatorFlushes()`.
        public static let getAvailableValidatorFlushes = ContractFunction("getAvailableValidatorFlushes", outputs: [.uint256])
        /// `getNextFlushableEpoch()`.
        public static let getNextFlushableEpoch = ContractFunction("getNextFlushableEpoch", outputs: [.uint256])
        /// `getIsBootstrapped()`.
        public static let getIsBootstrapped = ContractFunction("getIsBootstrapped", outputs: [.bool])
        /// `getEpochDuration()` in slots.
        public static let getEpochDuration = ContractFunction("getEpochDuration", outputs: [.uint256])
        /// `getSlotDuration()` in seconds.
        public static let getSlotDuration = ContractFunction("getSlotDuration", outputs: [.uint256])
        /// `getCurrentEpoch()`.
        public static let getCurrentEpoch = ContractFunction("getCurrentEpoch", outputs: [.uint256])
        /// `getActiveAttesterCount()`.
        public static let getActiveAttesterCount = ContractFunction("getActiveAttesterCount", outputs: [.uint256])
    }

    /// The client reads go through.
    public let client: EthereumClient
    /// The rollup contract.
    public let rollup: EthereumAddress
    /// How reads are grouped into requests.
    public let strategy: BatchReadStrategy

    /// Creates a reader of the rollup at `rollup`.
    public init(client: EthereumClient, rollup: EthereumAddress, strategy: BatchReadStrategy = .multicall3()) {
        self.client = client
        self.rollup = rollup
        self.strategy = strategy
    }

    /// The view of one attester.
    public func attesterView(of attester: EthereumAddress, at block: BlockTag = .latest) async throws -> AttesterView {
        let views = try await attesterViews(of: [attester], at: block)
        guard let view = views.first else {
            throw ChainReadError.unexpectedResult(method: Functions.getAttesterView.signature, detail: "no result")
        }
        return view
    }

    /// The views of many attesters, in the order given, in as few requests as the strategy allows.
    public func attesterViews(of attesters: [EthereumAddress], at block: BlockTag = .latest) async throws -> [AttesterView] {
        let function = Functions.getAttesterView
        let calls = try attesters.map { try function.call(on: rollup, [.address($0)]) }
        let outcomes = try await client.call(calls, at: block, strategy: strategy)
        return try zip(attesters, outcomes).map { attester, outcome in
            let values = try function.decodeOutcome(outcome, from: rollup)
            guard let value = values.first else {
                throw ChainReadError.unexpectedResult(method: function.signature, detail: "no return value")
            }
            return try AttesterView(attester: attester, decoded: value, function: function.signature, contract: rollup)
        }
    }

    /// All entry-queue and validator-set parameters, read in one batch at one block.
    public func queueParameters(at block: BlockTag = .latest) async throws -> RollupQueueParameters {
        let functions = [
            Functions.getEntryQueueLength, Functions.getEntryQueueFlushSize, Functions.getAvailableValidatorFlushes,
            Functions.getNextFlushableEpoch, Functions.getIsBootstrapped, Functions.getEpochDuration,
            Functions.getSlotDuration, Functions.getCurrentEpoch, Functions.getActiveAttesterCount,
        ]
        let outcomes = try await client.call(try functions.map { try $0.call(on: rollup) }, at: block, strategy: strategy)
        var numbers: [UInt64] = []
        var bootstrapped = false
        for (function, outcome) in zip(functions, outcomes) {
            let value = try function.decodeOutcome(outcome, from: rollup).first
            if function == Functions.getIsBootstrapped {
                bootstrapped = value?.boolValue ?? false
                numbers.append(0)
            } else {
                numbers.append(try smallNumber(value, function: function))
            }
        }
        guard numbers.count == 9 else {
            throw ChainReadError.unexpectedResult(method: "rollup parameters", detail: "expected 9 results but got \(numbers.count)")
        }
        return RollupQueueParameters(
            entryQueueLength: numbers[0], entryQueueFlushSize: numbers[1], availableValidatorFlushes: numbers[2],
            nextFlushableEpoch: numbers[3], isBootstrapped: bootstrapped, epochDurationInSlots: numbers[5],
            slotDurationInSeconds: numbers[6], currentEpoch: numbers[7], activeAttesterCount: numbers[8])
    }

    /// `getEntryQueueLength()`.
    public func entryQueueLength(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getEntryQueueLength, at: block)
    }

    /// `getEntryQueueFlushSize()`.
    public func entryQueueFlushSize(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getEntryQueueFlushSize, at: block)
    }

    /// `getAvailableValidatorFlushes()`.
    public func availableValidatorFlushes(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getAvailableValidatorFlushes, at: block)
    }

    /// `getNextFlushableEpoch()`.
    public func nextFlushableEpoch(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getNextFlushableEpoch, at: block)
    }

    /// `getIsBootstrapped()`.
    public func isBootstrapped(at block: BlockTag = .latest) async throws -> Bool {
        let function = Functions.getIsBootstrapped
        let value = try function.decodeOutcome(try await client.call(try function.call(on: rollup), at: block), from: rollup)
        guard let flag = value.first?.boolValue else {
            throw ChainReadError.unexpectedResult(method: function.signature, detail: "no bool returned")
        }
        return flag
    }

    /// `getEpochDuration()` in slots.
    public func epochDurationInSlots(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getEpochDuration, at: block)
    }

    /// `getSlotDuration()` in seconds.
    public func slotDurationInSeconds(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getSlotDuration, at: block)
    }

    /// `getCurrentEpoch()`.
    public func currentEpoch(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getCurrentEpoch, at: block)
    }

    /// `getActiveAttesterCount()`.
    public func activeAttesterCount(at block: BlockTag = .latest) async throws -> UInt64 {
        try await readNumber(Functions.getActiveAttesterCount, at: block)
    }

    /// Entries of the entry queue, from the head, in queue order; the whole queue when `limit` is `nil`.
    ///
    /// The length and the entries are read at one block number so they agree.
    public func entryQueue(limit: Int? = nil, at block: BlockTag = .latest) async throws -> [QueuedValidator] {
        let pinned = try await client.pinned(block)
        let length = try await entryQueueLength(at: pinned)
        let count = min(Int(clamping: length), limit ?? Int.max)
        try checkEntryCount(UInt64(count), what: "entry queue entries", function: Functions.getEntryQueueLength)
        let function = Functions.getEntryQueueAt
        let calls = try (0..<count).map { try function.call(on: rollup, [.unsigned(UInt64($0))]) }
        let outcomes = try await client.call(calls, at: pinned, strategy: strategy)
        return try outcomes.map { outcome in
            try QueuedValidator(decoded: try function.decodeOutcome(outcome, from: rollup).first, function: function.signature, hasWithdrawer: true)
        }
    }

    private func readNumber(_ function: ContractFunction, at block: BlockTag) async throws -> UInt64 {
        let values = try function.decodeOutcome(try await client.call(try function.call(on: rollup), at: block), from: rollup)
        return try smallNumber(values.first, function: function)
    }
}

extension QueuedValidator {
    /// Builds an entry from `(address attester, [address withdrawer,] (u,u), (u,u,u,u), (u,u), [bool])`.
    init(decoded value: ABIValue?, function: String, hasWithdrawer: Bool) throws(ChainReadError) {
        let shapeError = ChainReadError.unexpectedResult(method: function, detail: "the return value is not a queued validator")
        guard var fields = value?.elements, let attester = fields.first?.addressValue else { throw shapeError }
        fields.removeFirst()
        var withdrawer = EthereumAddress.zero
        if hasWithdrawer {
            guard let address = fields.first?.addressValue else { throw shapeError }
            withdrawer = address
            fields.removeFirst()
        }
        func numbers(_ index: Int, _ count: Int) throws(ChainReadError) -> [UInt256] {
            guard index < fields.count, let elements = fields[index].elements, elements.count == count else { throw shapeError }
            let values = elements.compactMap(\.uintValue)
            guard values.count == count else { throw shapeError }
            return values
        }
        self.attester = attester
        self.withdrawer = withdrawer
        publicKeyInG1 = try numbers(0, 2)
        publicKeyInG2 = try numbers(1, 4)
        proofOfPossession = try numbers(2, 2)
        moveWithLatestRollup = hasWithdrawer ? (fields.count > 3 ? fields[3].boolValue ?? false : false) : false
    }
}
