import FleetKit
import Foundation

/// `scrape-attester-status`, the original's command, over ``AttestersQuery``: the attesters of
/// the keys files, shown by the original's selections, and the cached attesters file it writes.
public struct AttesterStatusScrape: Sendable {
    /// Which attesters are shown; none chosen means all.
    public enum Selection: String, Sendable, CaseIterable, Codable {
        /// Waiting: in the provider's queue or the rollup's entry queue.
        case queued
        /// In the validator set.
        case active
        /// Every attester.
        case all
    }

    /// The query that places every attester.
    public var query: AttestersQuery
    /// The selections; empty: all.
    public var selections: Set<Selection>
    /// Only these attesters; empty: every one the selections keep.
    public var attesters: [EthereumAddress]
    /// Where the cached attesters file is written (every attester, whatever is shown); nil: not written.
    public var cacheFile: URL?

    /// Describes the run.
    public init(query: AttestersQuery, selections: Set<Selection> = [], attesters: [EthereumAddress] = [], cacheFile: URL? = nil) {
        self.query = query
        self.selections = selections
        self.attesters = attesters
        self.cacheFile = cacheFile
    }

    /// The original's cached attesters file in the data folder: `{network}-cached-attesters.json`.
    public static func defaultCacheFileName(network: String) -> String { "\(network)-cached-attesters.json" }

    /// Places the attesters, writes the cache when asked, and keeps those selected.
    public func run() async throws -> AttestersReport {
        let report = try await query.run()
        var notes = report.notes
        if let cacheFile {
            try AtomicFile.write(Self.cachedAttestersJSON(report.placements.attesters, now: Date()), to: cacheFile, mode: 0o644)
        }
        let wanted = Set(attesters)
        let known = Set(report.placements.attesters.compactMap { EthereumAddress(hex: $0.address) })
        for missing in attesters where !known.contains(missing) {
            notes.append(ButlerNote(.warning, "attester \(missing.checksummed) is in no keys file of \(query.configuration.network)"))
        }
        let showAll = selections.isEmpty || selections.contains(.all)
        let placements = report.placements.restricted { placement in
            let address = EthereumAddress(hex: placement.address)
            guard wanted.isEmpty || address.map(wanted.contains) == true else { return false }
            return showAll || (selections.contains(.queued) && (placement.place == .providerQueue || placement.place == .entryQueue))
                || (selections.contains(.active) && placement.place == .validating)
        }
        return AttestersReport(placements: placements, notes: notes)
    }

    /// The original's cached attesters file (version 2.0): `{attesters: [{address, coinbase?,
    /// lastSeenState}], lastUpdated, version}`, two-space indentation, no final newline.
    public static func cachedAttestersJSON(_ attesters: [AttesterPlacement], now: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let entries = attesters.map { attester in
            let coinbase = attester.coinbase.map { "\n      \"coinbase\": \"\($0)\"," } ?? ""
            return "    {\n      \"address\": \"\(attester.address)\",\(coinbase)\n      \"lastSeenState\": \"\(attester.state.rawValue)\"\n    }"
        }
        let list = entries.isEmpty ? "[]" : "[\n" + entries.joined(separator: ",\n") + "\n  ]"
        return "{\n  \"attesters\": \(list),\n  \"lastUpdated\": \"\(formatter.string(from: now))\",\n  \"version\": \"2.0\"\n}"
    }
}
