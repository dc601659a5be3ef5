import FleetKit
import Foundation

/// One validator's duties as an Aztec node's sentinel counts them over its history window
/// (`node_getValidatorsStats`). Counts can go down as old slots leave the window.
public struct ValidatorDutyStats: Sendable, Equatable {
    /// The validator (attester) address.
    public var address: EthereumAddress
    /// Slots of the window in which the validator had a duty.
    public var totalSlots: UInt64
    /// Attestations it should have sent and did not.
    public var missedAttestations: UInt64
    /// Missed attestations in a row up to the newest slot.
    public var missedAttestationsStreak: UInt64
    /// Blocks it should have proposed and did not.
    public var missedProposals: UInt64
    /// Missed proposals in a row up to the newest slot.
    public var missedProposalsStreak: UInt64
    /// The slot of its newest attestation, when it has attested within the window.
    public var lastAttestationSlot: UInt64?
    /// The slot of its newest proposal, when it has proposed within the window.
    public var lastProposalSlot: UInt64?

    /// Creates the stats of one validator.
    public init(address: EthereumAddress, totalSlots: UInt64, missedAttestations: UInt64, missedAttestationsStreak: UInt64 = 0,
                missedProposals: UInt64, missedProposalsStreak: UInt64 = 0, lastAttestationSlot: UInt64?, lastProposalSlot: UInt64?) {
        self.address = address
        self.totalSlots = totalSlots
        self.missedAttestations = missedAttestations
        self.missedAttestationsStreak = missedAttestationsStreak
        self.missedProposals = missedProposals
        self.missedProposalsStreak = missedProposalsStreak
        self.lastAttestationSlot = lastAttestationSlot
        self.lastProposalSlot = lastProposalSlot
    }
}

/// What `node_getValidatorsStats` answered: every validator the sentinel follows.
public struct ValidatorsDutyReport: Sendable, Equatable {
    /// Each validator's stats, by address.
    public var validators: [EthereumAddress: ValidatorDutyStats]
    /// The newest slot the sentinel has processed, when it says.
    public var lastProcessedSlot: UInt64?

    /// Creates a report.
    public init(validators: [EthereumAddress: ValidatorDutyStats], lastProcessedSlot: UInt64?) {
        self.validators = validators
        self.lastProcessedSlot = lastProcessedSlot
    }

    /// Reads the answer of `node_getValidatorsStats`: `{stats: {<address>: {address, totalSlots,
    /// missedAttestations: {count, currentStreak}, missedProposals: {…}, lastAttestation?: {slot},
    /// lastProposal?: {slot}}}, lastProcessedSlot?}`. Numbers may be JSON numbers or decimal or
    /// hex strings (bigints travel as strings).
    ///
    /// - Throws: ``ChainReadError/unexpectedResult(method:detail:)`` naming the JSON path of
    ///   the first field that is missing or not a number.
    public init(answer result: JSONValue) throws {
        let method = "node_getValidatorsStats"
        guard let stats = result["stats"]?.objectValue else {
            throw ChainReadError.unexpectedResult(method: method, detail: "stats is missing or not an object in the answer")
        }
        func count(_ value: JSONValue?, _ path: String) throws -> UInt64 {
            guard let value else { return 0 }
            if case .double(let number) = value, number >= 0, number < 1.8e19, number == number.rounded() { return UInt64(number) }
            return try value.quantity64(method, field: path)
        }
        var validators: [EthereumAddress: ValidatorDutyStats] = [:]
        for (key, entry) in stats {
            let path = "stats.\(key)"
            guard let address = EthereumAddress(hex: entry["address"]?.stringValue ?? key) else {
                throw ChainReadError.unexpectedResult(method: method, detail: "\(path).address is not an address")
            }
            func missed(_ name: String) throws -> (count: UInt64, streak: UInt64) {
                let field = entry[name]
                if case .integer = field ?? .null { return (try count(field, "\(path).\(name)"), 0) }
                return (try count(field?["count"], "\(path).\(name).count"), try count(field?["currentStreak"], "\(path).\(name).currentStreak"))
            }
            func slot(_ name: String) throws -> UInt64? {
                guard let field = entry[name], field != .null else { return nil }
                return try count(field["slot"], "\(path).\(name).slot")
            }
            let attestations = try missed("missedAttestations")
            let proposals = try missed("missedProposals")
            validators[address] = ValidatorDutyStats(
                address: address, totalSlots: try count(entry["totalSlots"], "\(path).totalSlots"),
                missedAttestations: attestations.count, missedAttestationsStreak: attestations.streak,
                missedProposals: proposals.count, missedProposalsStreak: proposals.streak,
                lastAttestationSlot: try slot("lastAttestation"), lastProposalSlot: try slot("lastProposal"))
        }
        let last = result["lastProcessedSlot"]
        self.init(validators: validators, lastProcessedSlot: last == nil || last == .null ? nil : try count(last, "lastProcessedSlot"))
    }
}

extension AztecNodeClient {
    /// `node_getValidatorsStats`: missed attestations and proposals and the newest duty slots
    /// of every validator the node's sentinel follows. Nodes without the sentinel answer an
    /// error, thrown as the JSON-RPC error.
    public func validatorsStats() async throws -> ValidatorsDutyReport {
        try ValidatorsDutyReport(answer: try await rpc.call("node_getValidatorsStats"))
    }
}
