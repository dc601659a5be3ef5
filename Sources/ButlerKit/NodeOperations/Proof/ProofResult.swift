import Foundation

/// How collecting one host's proof ended.
public enum ProofStatus: String, Sendable, Codable, CaseIterable {
    /// The proof was collected.
    case ok
    /// SSH could not reach the host.
    case unreachable
    /// The node's RPC failed, answered an error or answered something unreadable.
    case rpcError = "rpc_error"
    /// The node has no proven block yet (proven block 0 or no tips).
    case notSynced = "not_synced"
    /// The host did not finish within the per-host time limit.
    case timeout
}

/// One host's proof, or why there is none.
public struct ProofResult: Sendable, Codable, Equatable {
    /// The host's name.
    public var name: String
    /// The host's address.
    public var address: String
    /// The host's Ethereum address from the inventory, or empty.
    public var ethAddress: String
    /// How collection ended.
    public var status: ProofStatus
    /// The proven block the proof is for.
    public var blockNumber: UInt64?
    /// The archive sibling path (base64) at that block.
    public var proof: String?
    /// When collection of this host ended.
    public var collectedAt: Date
    /// Why there is no proof, for people.
    public var error: String?
    /// Seconds spent on this host.
    public var duration: Double

    /// Creates a result.
    public init(name: String, address: String, ethAddress: String, status: ProofStatus, blockNumber: UInt64? = nil,
                proof: String? = nil, collectedAt: Date, error: String? = nil, duration: Double = 0) {
        self.name = name
        self.address = address
        self.ethAddress = ethAddress
        self.status = status
        self.blockNumber = blockNumber
        self.proof = proof
        self.collectedAt = collectedAt
        self.error = error
        self.duration = duration
    }
}
