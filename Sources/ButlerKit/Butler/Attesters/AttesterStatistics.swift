import FleetKit
import Foundation

/// One attester's row of `attesters --csv`: the original `validator_stats.rb` columns that
/// still mean something, from the Butler's own reads instead of a third-party API.
public struct AttesterStatistics: Sendable, Codable, Equatable {
    /// The attester's address, checksummed.
    public var address: String
    /// `getAttesterView(address).status`: `NONE`, `VALIDATING`, `ZOMBIE` or `EXITING`.
    public var status: String
    /// Its effective stake in wei (decimal), from the same view.
    public var balanceWei: String
    /// The same in ETH (the staking token has 18 decimals), without trailing zeros.
    public var balanceEth: String
    /// The newest slot it proposed in, per the node's sentinel; `nil` when none or unknown.
    public var lastProposedSlot: UInt64?
    /// Attestations it missed within the sentinel's window; `nil` when the node has no data for it.
    public var missedAttestations: UInt64?
    /// Block proposals it missed within the sentinel's window.
    public var missedProposals: UInt64?
    /// Where it stands on its way into the validator set.
    public var place: AttesterPlace
    /// The server whose keys file lists it.
    public var serverId: String
    /// Why duty columns are empty, or nothing.
    public var error: String?
}

/// What ``AttesterStatisticsQuery`` found.
public struct AttesterStatisticsReport: Sendable, Codable, Equatable {
    /// One row per attester, in keys-file merge order.
    public var attesters: [AttesterStatistics]
    /// Keys files that could not be used, and a node without duty data (a warning).
    public var notes: [ButlerNote]

    /// The CSV header: the original's columns that still mean something, in its order,
    /// then `place` and `server`.
    public static let header = ["address", "status", "balance_wei", "balance_eth", "last_proposed", "total_attestations_missed",
                                "total_blocks_missed", "error", "place", "server"]

    /// The CSV text; the free-text columns are protected against spreadsheet formulas.
    public var csv: String {
        var writer = CSVWriter(header: Self.header, neutralizingFormulasIn: ["error", "server"])
        for row in attesters {
            writer.append([row.address, row.status, row.balanceWei, row.balanceEth, row.lastProposedSlot.map(String.init) ?? "",
                           row.missedAttestations.map(String.init) ?? "", row.missedProposals.map(String.init) ?? "", row.error ?? "",
                           row.place.rawValue, row.serverId])
        }
        return writer.text
    }
}

/// `attesters --csv`: every attester of the keys files with its on-chain status and stake
/// (one Multicall3 pass of `getAttesterView`), its place (as ``AttestersQuery``) and its
/// missed duties from the Aztec node's sentinel (`node_getValidatorsStats`), as the original
/// `validator_stats.rb` listed them from dashtec.xyz one HTTP request per address.
public struct AttesterStatisticsQuery: Sendable {
    /// The placements and the chain reads.
    public var placements: AttestersQuery

    /// Describes the query.
    public init(_ placements: AttestersQuery) {
        self.placements = placements
    }

    /// Reads the chain and the node.
    /// - Throws: ``KeysDirectoryError``, ``ChainContextError`` or the chain's errors.
    public func run() async throws -> AttesterStatisticsReport {
        let configuration = placements.configuration
        let report = try await placements.run()
        var notes = report.notes
        let context = try await ChainContext.connect(configuration, multicall3: placements.multicall3, http: placements.http)
        let rollup = RollupReader(client: context.ethereum, rollup: context.rollup, strategy: context.strategy)
        let addresses = report.placements.attesters.compactMap { EthereumAddress(hex: $0.address) }
        var balances: [EthereumAddress: UInt256] = [:]
        for view in try await rollup.attesterViews(of: addresses) { balances[view.attester] = view.effectiveBalance }
        var duties: [EthereumAddress: ValidatorDutyStats]?
        do {
            duties = try await AztecNodeClient(url: configuration.aztecNodeURL, transport: placements.http).validatorsStats().validators
        } catch {
            notes.append(ButlerNote(.warning, "the Aztec node has no duty data (node_getValidatorsStats: \(TerminalText.escaped(String(describing: error)))); the duty columns are empty"))
        }
        let rows = report.placements.attesters.map { placement -> AttesterStatistics in
            let address = EthereumAddress(hex: placement.address)
            let balance = address.flatMap { balances[$0] } ?? UInt256(0)
            let stats = address.flatMap { duties?[$0] }
            var error: String?
            if duties == nil {
                error = "no duty data from the node"
            } else if stats == nil && placement.place == .validating {
                error = "not followed by the node's sentinel"
            }
            return AttesterStatistics(address: placement.address, status: placement.status, balanceWei: balance.description,
                                      balanceEth: DeploymentPlan.ether(balance), lastProposedSlot: stats?.lastProposalSlot,
                                      missedAttestations: stats?.missedAttestations, missedProposals: stats?.missedProposals,
                                      place: placement.place, serverId: placement.serverId, error: error)
        }
        return AttesterStatisticsReport(attesters: rows, notes: notes)
    }
}
