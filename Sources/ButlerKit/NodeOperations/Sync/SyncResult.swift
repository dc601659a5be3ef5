import Foundation

/// How one node compares with the reference, in the original toolkit's words.
public enum SyncStatus: String, Sendable, Codable, CaseIterable {
    /// The node's proven block equals the reference's.
    case synced = "SYNCED"
    /// No node answers on any of the probed ports.
    case noNode = "NO_NODE"
    /// A node answered without a usable proven block, or the reference gave none.
    case rpcError = "RPC_ERROR"
    /// The node's proven block differs from the reference's.
    case syncing = "SYNCING"
    /// The node did not answer within the per-host time.
    case timeout = "TIMEOUT"
    /// Anything else, such as a server SSH could not reach.
    case error = "ERROR"
}

/// One server's sync check.
public struct SyncResult: Sendable, Codable, Equatable {
    /// The host's name.
    public var name: String
    /// The host's address.
    public var address: String
    /// The node's proven block, when it gave one.
    public var localBlock: UInt64?
    /// The reference's proven block, when there was one.
    public var remoteBlock: UInt64?
    /// How the two compare.
    public var status: SyncStatus
    /// The port the node answered on.
    public var port: Int?
    /// When the host was checked.
    public var checkedAt: Date
    /// What was seen, for people: the two blocks, or why there are none.
    public var rawOutput: String

    /// Creates a result.
    public init(name: String, address: String, localBlock: UInt64? = nil, remoteBlock: UInt64? = nil, status: SyncStatus,
                port: Int? = nil, checkedAt: Date, rawOutput: String) {
        self.name = name
        self.address = address
        self.localBlock = localBlock
        self.remoteBlock = remoteBlock
        self.status = status
        self.port = port
        self.checkedAt = checkedAt
        self.rawOutput = rawOutput
    }
}
