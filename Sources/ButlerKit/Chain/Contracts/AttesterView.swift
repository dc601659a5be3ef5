/// A point on BN254 G1, as the rollup stores BLS public keys.
public struct G1Point: Sendable, Hashable {
    /// x coordinate.
    public let x: UInt256
    /// y coordinate.
    public let y: UInt256
}

/// What the rollup's `getAttesterView(address)` says about one attester.
public struct AttesterView: Sendable, Hashable {
    /// The attester's status in the rollup (`enum Status` of the staking contract).
    public enum Status: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Not in the validator set: never deposited, still in the entry queue, or fully withdrawn.
        case none = 0
        /// In the validator set.
        case validating = 1
        /// Removed from the set but with stake still held (e.g. slashed below the minimum).
        case zombie = 2
        /// Withdrawing.
        case exiting = 3

        /// `NONE`, `VALIDATING`, `ZOMBIE` or `EXITING`.
        public var description: String {
            switch self {
            case .none: "NONE"
            case .validating: "VALIDATING"
            case .zombie: "ZOMBIE"
            case .exiting: "EXITING"
            }
        }
    }

    /// A pending or finished withdrawal.
    public struct Exit: Sendable, Hashable {
        /// The withdrawal id.
        public let withdrawalID: UInt256
        /// The amount withdrawn.
        public let amount: UInt256
        /// When the exit can be finalised (seconds since 1970).
        public let exitableAt: UInt256
        /// The recipient or the withdrawer, see ``isRecipient``.
        public let recipientOrWithdrawer: EthereumAddress
        /// Whether ``recipientOrWithdrawer`` is the recipient.
        public let isRecipient: Bool
        /// Whether an exit exists.
        public let exists: Bool
    }

    /// The attester's registration.
    public struct Config: Sendable, Hashable {
        /// The BLS public key in G1.
        public let publicKey: G1Point
        /// The address allowed to withdraw.
        public let withdrawer: EthereumAddress
    }

    /// The attester this view is about.
    public let attester: EthereumAddress
    /// Its status.
    public let status: Status
    /// Its effective balance (0 while waiting in the entry queue).
    public let effectiveBalance: UInt256
    /// Its exit.
    public let exit: Exit
    /// Its registration.
    public let config: Config

    /// The return type of `getAttesterView(address)`: a static 11-word tuple.
    static let abiType = ABIType.tuple([
        .uint(8), .uint256,
        .tuple([.uint256, .uint256, .uint256, .address, .bool, .bool]),
        .tuple([.tuple([.uint256, .uint256]), .address]),
    ])

    /// Builds a view from the decoded return value.
    init(attester: EthereumAddress, decoded value: ABIValue, function: String, contract: EthereumAddress) throws(ChainReadError) {
        let shapeError = ChainReadError.unexpectedResult(method: function, detail: "the return value is not an attester view")
        guard let fields = value.elements, fields.count == 4,
            let statusNumber = fields[0].uintValue, let balance = fields[1].uintValue,
            let exitFields = fields[2].elements, exitFields.count == 6,
            let configFields = fields[3].elements, configFields.count == 2,
            let keyFields = configFields[0].elements, keyFields.count == 2
        else { throw shapeError }
        guard let rawStatus = statusNumber.uint64Value.flatMap({ UInt8(exactly: $0) }), let status = Status(rawValue: rawStatus) else {
            throw ChainReadError.unexpectedResult(method: function, detail: "status \(statusNumber) of \(attester) on \(contract) is not NONE, VALIDATING, ZOMBIE or EXITING")
        }
        guard let withdrawalID = exitFields[0].uintValue, let amount = exitFields[1].uintValue,
            let exitableAt = exitFields[2].uintValue, let recipient = exitFields[3].addressValue,
            let isRecipient = exitFields[4].boolValue, let exists = exitFields[5].boolValue,
            let keyX = keyFields[0].uintValue, let keyY = keyFields[1].uintValue,
            let withdrawer = configFields[1].addressValue
        else { throw shapeError }
        self.attester = attester
        self.status = status
        effectiveBalance = balance
        exit = Exit(
            withdrawalID: withdrawalID, amount: amount, exitableAt: exitableAt, recipientOrWithdrawer: recipient,
            isRecipient: isRecipient, exists: exists)
        config = Config(publicKey: G1Point(x: keyX, y: keyY), withdrawer: withdrawer)
    }
}

/// One entry of the rollup's entry queue (`getEntryQueueAt`) or a provider queue.
public struct QueuedValidator: Sendable, Hashable {
    /// The attester address.
    public let attester: EthereumAddress
    /// The withdrawer (rollup entry queue only; zero for provider queue entries).
    public let withdrawer: EthereumAddress
    /// BLS public key in G1 (x, y).
    public let publicKeyInG1: [UInt256]
    /// BLS public key in G2 (x0, x1, y0, y1).
    public let publicKeyInG2: [UInt256]
    /// Proof of possession (x, y).
    public let proofOfPossession: [UInt256]
    /// Whether the stake follows the latest rollup (rollup entry queue only).
    public let moveWithLatestRollup: Bool
}
