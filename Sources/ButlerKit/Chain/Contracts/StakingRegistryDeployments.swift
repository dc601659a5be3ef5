/// Where the StakingRegistry is deployed on the L1 chains Aztec runs on.
public enum StakingRegistryDeployments {
    /// The StakingRegistry on Ethereum mainnet (chain 1).
    public static let mainnet = EthereumAddress(hex: "0x042dF8f42790d6943F41C25C2132400fd727f452") ?? .zero
    /// The StakingRegistry on Sepolia (chain 11155111), used by the testnet.
    public static let sepolia = EthereumAddress(hex: "0xc3860c45e5F0b1eF3000dbF93149756f16928ADB") ?? .zero

    /// The StakingRegistry of the L1 chain `chainId`; `nil` for chains other than mainnet and
    /// Sepolia, where a command must be told the address.
    public static func address(chainId: UInt64) -> EthereumAddress? {
        switch chainId {
        case 1: mainnet
        case 11_155_111: sepolia
        default: nil
        }
    }
}
