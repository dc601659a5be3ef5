import FleetKit
import Foundation

/// What `aztec-butler keys` shows: each server's newest keys file, the merged totals and every
/// problem (bad files, an attester on two servers, a publisher shared by two servers).
///
/// Only addresses and counts appear; BLS keys never do.
public struct KeysReport: Sendable, Codable {
    /// One server's keys file.
    public struct FileRow: Sendable, Codable, Equatable {
        /// The server id from the file name.
        public let serverId: String
        /// The version from the file name.
        public let version: Int
        /// The file name.
        public let file: String
        /// Validator entries in the file.
        public let validators: Int
        /// Distinct publishers in the file.
        public let publishers: Int
        /// Validators without a coinbase yet.
        public let withoutCoinbase: Int
    }

    /// One publisher of the merged view.
    public struct PublisherRow: Sendable, Codable, Equatable {
        /// The address as first spelled.
        public let address: String
        /// The servers that list it.
        public let serverIds: [String]
        /// How many validator entries name it.
        public let attesterCount: Int
    }

    /// Totals across servers.
    public struct Totals: Sendable, Codable, Equatable {
        /// Servers whose newest keys file loaded.
        public let servers: Int
        /// Distinct attesters.
        public let attesters: Int
        /// Distinct attesters without a coinbase.
        public let attestersWithoutCoinbase: Int
        /// Distinct publishers.
        public let publishers: Int
        /// Attesters run by several servers through one shared remote signer (high availability).
        public let highAvailabilityAttesters: Int
    }

    /// The network.
    public let network: String
    /// The data folder searched.
    public let dataDirectory: String
    /// The newest file of each server that loaded, by server id.
    public let files: [FileRow]
    /// The merged totals.
    public let totals: Totals
    /// The merged publishers.
    public let publishers: [PublisherRow]
    /// Older versions left aside.
    public let superseded: [String]
    /// Every problem, one sentence each; bad files are named by path.
    public let problems: [String]

    /// Summarises a discovery.
    public init(_ discovery: KeysDiscovery) {
        let merged = discovery.merged
        network = discovery.network
        dataDirectory = discovery.folder.path
        files = discovery.files.map { file in
            FileRow(serverId: file.serverId, version: file.name.version, file: file.url.lastPathComponent,
                    validators: file.contents.validators.count, publishers: file.contents.publishers.count,
                    withoutCoinbase: file.contents.validators.filter { $0.coinbase == nil }.count)
        }
        totals = Totals(servers: discovery.files.count, attesters: merged.attesters.count,
                        attestersWithoutCoinbase: merged.attestersWithoutCoinbase.count, publishers: merged.publishers.count,
                        highAvailabilityAttesters: merged.highAvailabilityAttesters.count)
        publishers = merged.publishers.map {
            PublisherRow(address: $0.address.text, serverIds: $0.serverIds, attesterCount: $0.attesterCount)
        }
        superseded = discovery.superseded.map(\.fileName)
        problems = discovery.failures.flatMap { $0.problems.map(\.description) } + merged.problems
    }

    /// Whether anything needs the operator's attention.
    public var hasProblems: Bool { !problems.isEmpty }

    /// The report for people, one line each; control and format characters of file and
    /// folder names are shown as `\u{…}` (``TerminalText``).
    public func textLines() -> [String] {
        rawTextLines().map(TerminalText.escaped)
    }

    private func rawTextLines() -> [String] {
        var lines: [String] = []
        if files.isEmpty {
            lines.append("no usable \(network) keys files in \(dataDirectory) (looked for \(network)-keys-{serverId}-v{N}.json)")
        } else {
            lines.append("\(network) keys files in \(dataDirectory):")
            let header = ["SERVER", "VERSION", "VALIDATORS", "PUBLISHERS", "FILE"]
            let rows = files.map { [$0.serverId, "v\($0.version)", String($0.validators), String($0.publishers), $0.file] }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            for row in [header] + rows {
                let cells = row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }
                lines.append("  " + cells.joined(separator: "  "))
            }
            let missing = totals.attestersWithoutCoinbase > 0 ? " (\(totals.attestersWithoutCoinbase) without coinbase)" : ""
            lines.append("total: \(Plural.count(totals.servers, "server")), \(Plural.count(totals.attesters, "attester"))\(missing), \(Plural.count(totals.publishers, "publisher"))")
            if totals.highAvailabilityAttesters > 0 {
                lines.append("\(Plural.count(totals.highAvailabilityAttesters, "attester")) on several servers through one remote signer (high availability)")
            }
        }
        if !superseded.isEmpty {
            lines.append("older versions left aside: \(superseded.joined(separator: ", "))")
        }
        if !problems.isEmpty {
            lines.append("problems (\(problems.count)):")
            lines += CappedList.lines(problems).map { "  " + $0 }
        }
        return lines
    }
}
