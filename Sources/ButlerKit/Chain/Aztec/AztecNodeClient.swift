import Foundation
import FleetKit

/// What `node_getNodeInfo` tells about an Aztec node.
public struct AztecNodeInfo: Sendable, Hashable {
    /// The node software version, e.g. `2.1.2`.
    public let nodeVersion: String
    /// The chain id of the L1 the node follows.
    public let l1ChainID: UInt64
    /// The rollup version, when the node reports one.
    public let rollupVersion: UInt64?
    /// The L1 contract addresses by name (`rollupAddress`, `registryAddress`, …).
    public let l1ContractAddresses: [String: EthereumAddress]

    /// The rollup contract on L1, when reported.
    public var rollupAddress: EthereumAddress? { l1ContractAddresses["rollupAddress"] }
    /// The registry contract on L1, when reported.
    public var registryAddress: EthereumAddress? { l1ContractAddresses["registryAddress"] }
}

/// One L2 block reference: number and hash.
public struct L2BlockID: Sendable, Hashable {
    /// The block number.
    public let number: UInt64
    /// The block hash, when reported.
    public let hash: String?
}

/// The tips of the L2 chain as a node sees them (`node_getL2Tips`).
public struct L2Tips: Sendable, Hashable {
    /// The newest block.
    public let latest: L2BlockID
    /// The newest proven block.
    public let proven: L2BlockID
    /// The newest finalized block.
    public let finalized: L2BlockID
}

/// Typed calls of an Aztec node's JSON-RPC API (port 8080 by default).
public struct AztecNodeClient: Sendable {
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

    /// `node_getNodeInfo`: version, L1 chain id and L1 contract addresses.
    public func nodeInfo() async throws -> AztecNodeInfo {
        let method = "node_getNodeInfo"
        let result = try await rpc.call(method)
        guard let version = result["nodeVersion"]?.stringValue, let chainID = result["l1ChainId"] else {
            throw ChainReadError.unexpectedResult(method: method, detail: "nodeVersion or l1ChainId is missing in \(result)")
        }
        var addresses: [String: EthereumAddress] = [:]
        for (name, value) in result["l1ContractAddresses"]?.objectValue ?? [:] {
            if let text = value.stringValue, let address = EthereumAddress(hex: text) { addresses[name] = address }
        }
        let rollupVersion = try result["rollupVersion"].flatMap { $0 == .null ? nil : try Self.number($0, method, "rollupVersion") }
        return AztecNodeInfo(
            nodeVersion: version, l1ChainID: try Self.number(chainID, method, "l1ChainId"),
            rollupVersion: rollupVersion, l1ContractAddresses: addresses)
    }

    /// `node_getL2Tips`: latest, proven and finalized blocks.
    public func l2Tips() async throws -> L2Tips {
        let method = "node_getL2Tips"
        let result = try await rpc.call(method)
        func tip(_ name: String) throws -> L2BlockID {
            guard let entry = result[name], let number = entry["number"] else {
                throw ChainReadError.unexpectedResult(method: method, detail: "\(name).number is missing in \(result)")
            }
            return L2BlockID(number: try Self.number(number, method, "\(name).number"), hash: entry["hash"]?.stringValue)
        }
        return L2Tips(latest: try tip("latest"), proven: try tip("proven"), finalized: try tip("finalized"))
    }

    /// `node_getArchiveSiblingPath(block, block)`: the base64 archive sibling path at `block`,
    /// the "proof" of a synced node (both parameters are the block number as a string).
    public func archiveSiblingPath(atBlock block: UInt64) async throws -> String {
        let method = "node_getArchiveSiblingPath"
        let result = try await rpc.call(method, [.string(String(block)), .string(String(block))])
        guard let path = result.stringValue, !path.isEmpty else {
            throw ChainReadError.unexpectedResult(method: method, detail: "expected a base64 string but got \(result)")
        }
        return path
    }

    /// `node_isReady`.
    public func isReady() async throws -> Bool {
        let result = try await rpc.call("node_isReady")
        guard let ready = result.boolValue else {
            throw ChainReadError.unexpectedResult(method: "node_isReady", detail: "expected true or false but got \(result)")
        }
        return ready
    }

    /// `node_getBlockNumber`: the newest L2 block.
    public func blockNumber() async throws -> UInt64 {
        try Self.number(try await rpc.call("node_getBlockNumber"), "node_getBlockNumber", "result")
    }

    /// `node_getProvenBlockNumber`: the newest proven L2 block.
    public func provenBlockNumber() async throws -> UInt64 {
        try Self.number(try await rpc.call("node_getProvenBlockNumber"), "node_getProvenBlockNumber", "result")
    }

    /// Aztec nodes write numbers as JSON numbers, decimal strings or hex strings.
    private static func number(_ value: JSONValue, _ method: String, _ field: String) throws -> UInt64 {
        try value.quantity64(method, field: field)
    }
}
