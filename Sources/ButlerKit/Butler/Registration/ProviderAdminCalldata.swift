import FleetKit
import Foundation

/// A transaction for the provider admin's multisig to send: the contract, the function and
/// the calldata, ready for a Safe or any other wallet.
public struct CalldataProposal: Sendable, Codable, Equatable {
    /// The contract to call (checksummed).
    public let contract: String
    /// The function's signature, e.g. `updateProviderTakeRate(uint256,uint16)`.
    public let function: String
    /// The calldata (0x + hex): selector and ABI-encoded arguments.
    public let calldata: String

    /// The call of `function` on `contract` with `arguments`.
    init(contract: EthereumAddress, function: ContractFunction, arguments: [ABIValue]) throws {
        self.contract = contract.checksummed
        self.function = function.signature
        calldata = Hex.encode(try function.callData(arguments))
    }

    /// The proposal as lines for people.
    public var lines: [String] { ["contract: \(contract)", "function: \(function)", "calldata: \(calldata)"] }
}

/// The StakingRegistry's provider-admin functions (aztec ignition-contracts `IStakingRegistry`),
/// as calldata for the admin's multisig.
public enum ProviderAdminCalldata {
    /// `addKeysToProvider(uint256,(address,(uint256,uint256),(uint256,uint256,uint256,uint256),(uint256,uint256))[])`.
    public static let addKeysToProvider = ContractFunction("addKeysToProvider", inputs: [
        .uint256, .array(.tuple([.address, .tuple([.uint256, .uint256]), .tuple([.uint256, .uint256, .uint256, .uint256]), .tuple([.uint256, .uint256])])),
    ], outputs: [])
    /// `registerProvider(address,uint16,address)`: admin, take rate (basis points), rewards recipient.
    public static let registerProvider = ContractFunction("registerProvider", inputs: [.address, .uint(16), .address], outputs: [.uint256])
    /// `updateProviderAdmin(uint256,address)`: the current admin names the next one.
    public static let updateProviderAdmin = ContractFunction("updateProviderAdmin", inputs: [.uint256, .address], outputs: [])
    /// `acceptProviderAdmin(uint256)`: the named admin takes over.
    public static let acceptProviderAdmin = ContractFunction("acceptProviderAdmin", inputs: [.uint256], outputs: [])
    /// `updateProviderTakeRate(uint256,uint16)`: the commission in basis points.
    public static let updateProviderTakeRate = ContractFunction("updateProviderTakeRate", inputs: [.uint256, .uint(16)], outputs: [])

    /// The largest take rate: 10,000 basis points (100 %).
    public static let maximumTakeRate: UInt16 = 10_000

    /// Adds `keyStores` to `providerId`'s queue.
    public static func addKeys(registry: EthereumAddress, providerId: UInt64, keyStores: [AttesterKeyStore]) throws -> CalldataProposal {
        try CalldataProposal(contract: registry, function: addKeysToProvider, arguments: [.unsigned(providerId), .array(keyStores.map(\.abiValue))])
    }

    /// Registers a provider (create provider); sent from any account.
    public static func createProvider(registry: EthereumAddress, admin: EthereumAddress, takeRate: UInt16, rewardsRecipient: EthereumAddress) throws -> CalldataProposal {
        try checked(takeRate)
        return try CalldataProposal(contract: registry, function: registerProvider,
                                    arguments: [.address(admin), .unsigned(UInt64(takeRate)), .address(rewardsRecipient)])
    }

    /// Hands the provider to a new admin: the current admin proposes, then the new admin accepts.
    public static func changeAdmin(registry: EthereumAddress, providerId: UInt64, newAdmin: EthereumAddress) throws -> [CalldataProposal] {
        [try CalldataProposal(contract: registry, function: updateProviderAdmin, arguments: [.unsigned(providerId), .address(newAdmin)]),
         try CalldataProposal(contract: registry, function: acceptProviderAdmin, arguments: [.unsigned(providerId)])]
    }

    /// Sets the provider's commission (basis points, at most 10,000).
    public static func changeCommission(registry: EthereumAddress, providerId: UInt64, takeRate: UInt16) throws -> CalldataProposal {
        try checked(takeRate)
        return try CalldataProposal(contract: registry, function: updateProviderTakeRate, arguments: [.unsigned(providerId), .unsigned(UInt64(takeRate))])
    }

    private static func checked(_ takeRate: UInt16) throws {
        guard takeRate <= maximumTakeRate else { throw ButlerRequestError("a take rate is at most 10000 basis points (100 %), got \(takeRate)") }
    }
}

/// A batch file for the Safe{Wallet} Transaction Builder ("Upload a batch"): version 1.0, the
/// chain id, and one zero-value transaction per proposal.
public enum SafeTransactionBatch {
    /// The batch JSON (two-space indentation, keys sorted, final newline).
    public static func json(chainId: UInt64, name: String, description: String, createdAt: Date, proposals: [CalldataProposal]) throws -> Data {
        struct Transaction: Encodable {
            let to: String, value: String, data: String
            /// The Transaction Builder's fields for a decoded call; null for raw calldata.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(to, forKey: .to)
                try container.encode(value, forKey: .value)
                try container.encode(data, forKey: .data)
                try container.encodeNil(forKey: .contractMethod)
                try container.encodeNil(forKey: .contractInputsValues)
            }
            enum Keys: String, CodingKey { case to, value, data, contractMethod, contractInputsValues }
        }
        struct Meta: Encodable { let name: String, description: String, txBuilderVersion: String, createdFromSafeAddress: String, createdFromOwnerAddress: String }
        struct Batch: Encodable { let version: String, chainId: String, createdAt: Int64, meta: Meta, transactions: [Transaction] }
        let batch = Batch(version: "1.0", chainId: String(chainId), createdAt: Int64(createdAt.timeIntervalSince1970 * 1000),
                          meta: Meta(name: name, description: description, txBuilderVersion: "1.16.5", createdFromSafeAddress: "", createdFromOwnerAddress: ""),
                          transactions: proposals.map { Transaction(to: $0.contract, value: "0", data: $0.calldata) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(batch) + Data("\n".utf8)
    }
}
