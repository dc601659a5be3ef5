import Foundation

/// `check-publisher-eth`: every publisher of the keys files with its load, balance and the
/// top-up it needs, by the original's rule: required = ⌈load⌉ × `MIN_ETH_PER_ATTESTER`.
public struct PublisherFundingReport: Sendable, Codable, Equatable {
    /// One publisher's funding.
    public struct Entry: Sendable, Codable, Equatable {
        /// The publisher's address, checksummed.
        public var address: String
        /// The servers whose keys files name it (more than one is an operator error).
        public var servers: [String]
        /// Its share of the work: 1 per validator naming it alone, 1/n when among n.
        public var load: Double
        /// Its balance in ETH, as decimal text.
        public var balance: String
        /// ⌈load⌉ × MIN_ETH_PER_ATTESTER, in ETH.
        public var required: String
        /// What is missing, in ETH; "0" when funded.
        public var topUp: String
        /// Whether the balance reaches the requirement.
        public var funded: Bool
    }

    /// The network.
    public var network: String
    /// ETH a publisher needs per attester it serves.
    public var minEthPerAttester: String
    /// Every publisher, sorted by address.
    public var publishers: [Entry]

    /// Computes the report from the merged keys and the balances read (a missing balance counts as 0).
    public init(network: String, keys: MergedKeys, balances: [EthereumAddress: UInt256], minEthPerAttester: EtherAmount) {
        self.network = network
        self.minEthPerAttester = minEthPerAttester.text
        publishers = keys.publishers.map { publisher in
            let balance = balances[publisher.address.address] ?? .zero
            let attesters = UInt64(max(0, publisher.load.rounded(.up)))
            let required = minEthPerAttester.wei.multipliedAndAdded(multiplier: attesters, addend: 0) ?? .max
            let missing = required.subtracting(balance)
            return Entry(address: publisher.address.address.checksummed, servers: publisher.serverIds, load: publisher.load,
                         balance: DeploymentPlan.ether(balance), required: DeploymentPlan.ether(required),
                         topUp: DeploymentPlan.ether(missing ?? .zero), funded: missing == nil || missing == .zero)
        }
    }

    /// Whether any publisher needs a top-up.
    public var needsTopUp: Bool { publishers.contains { !$0.funded } }

    /// The original's lines, `0xAb… - load: 2, current balance: 0.05 ETH ❌ REQUIRES ADDITIONAL: 0.15 ETH`
    /// (✅ when funded), after its heading.
    public var textLines: [String] {
        ["Publisher ETH balances and required top-ups:"] + publishers.map { entry in
            let load = entry.load == entry.load.rounded() ? String(Int(entry.load)) : String(entry.load)
            let verdict = entry.funded ? "✅" : "❌ REQUIRES ADDITIONAL: \(entry.topUp) ETH"
            return "\(entry.address) - load: \(load), current balance: \(entry.balance) ETH \(verdict)"
        }
    }
}
