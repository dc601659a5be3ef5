import FleetKit
import Foundation

/// One node's health as `status` reads it, and what of it needs the operator's attention.
/// A value `nil` was not known (the service did not answer); that counts as needing attention
/// where the reading matters.
public struct NodeStatus: Sendable, Codable, Equatable {
    /// The node's `KEY_NAME`.
    public var keyName: String
    /// `SSH_USER@SERVER_IP`.
    public var server: String
    /// Whether the server could be reached; `false` leaves every reading below unknown.
    public var reachable = false
    /// The services of both compose files that are not running (empty: all run).
    public var servicesDown: [String]?
    /// The node's latest block height.
    public var height: Int?
    /// The network's latest block height, from the seed node.
    public var networkHeight: Int?
    /// The node says it is catching up.
    public var catchingUp: Bool?
    /// The last state-sync chunk in the node's log, while it is catching up.
    public var stateSyncChunk: Int?
    /// The cold account is a registered participant.
    public var participantRegistered: Bool?
    /// The cold account is a participant of the current epoch.
    public var inCurrentEpoch: Bool?
    /// The validator is jailed (its `jailed_until` lies ahead).
    public var jailed: Bool?
    /// Blocks the validator missed in the signing window.
    public var missedBlocks: Int?
    /// The ML node's health endpoint answered.
    public var mlNodeHealthy: Bool?
    /// The admin API's current status of the ML node (`INFERENCE`, `POW`…).
    public var mlNodeStatus: String?
    /// GPUs the ML node lists.
    public var gpusSeen: Int?
    /// Free space of the data volume, MiB.
    public var diskFreeMiB: Int?
    /// Size of the data volume, MiB.
    public var diskTotalMiB: Int?
    /// Why the node needs attention; empty when it does not.
    public var attention: [String] = []

    /// Creates a status with nothing read yet.
    public init(keyName: String, server: String) {
        self.keyName = keyName
        self.server = server
    }

    /// Whether anything needs the operator's attention.
    public var needsAttention: Bool { !attention.isEmpty }

    /// Blocks behind the network above which a node counts as lagging.
    public static let laggingBlocks = 20
    /// Missed blocks of the last 100 at which the FAQ's jailing threshold (50 signed) is near.
    public static let missedBlocksWarning = 25
    /// Free share of the data volume below which the disk needs attention, in percent.
    public static let diskFreePercentWarning = 10

    /// The attention lines for the readings, in the order of the readings.
    public static func attention(for status: NodeStatus) -> [String] {
        guard status.reachable else { return ["the server cannot be reached"] }
        var lines: [String] = []
        if let down = status.servicesDown, !down.isEmpty { lines.append("services not running: \(down.joined(separator: ", "))") }
        if status.servicesDown == nil { lines.append("the services cannot be listed") }
        switch (status.height, status.networkHeight) {
        case (nil, _): lines.append("the node gives no block height")
        case (let height?, let network?) where network - height > laggingBlocks:
            lines.append("the node is \(network - height) blocks behind the network (\(height) of \(network))")
        default: break
        }
        if status.catchingUp == true {
            lines.append("the node is catching up" + (status.stateSyncChunk.map { " (state sync at chunk \($0)/\(StateSyncWait.snapshotChunks))" } ?? ""))
        }
        if status.participantRegistered == false { lines.append("the cold account is not a registered participant") }
        if status.participantRegistered == true, status.inCurrentEpoch == false { lines.append("the participant is not in the current epoch") }
        if status.jailed == true { lines.append("the validator is jailed (missed \(status.missedBlocks.map(String.init) ?? "?") blocks)") }
        if status.jailed != true, let missed = status.missedBlocks, missed >= missedBlocksWarning {
            lines.append("the validator missed \(missed) blocks of the last 100 (jailed below 50 signed)")
        }
        if status.mlNodeHealthy != true { lines.append("the ML node does not answer its health check") }
        if status.gpusSeen == 0 { lines.append("the ML node sees no GPU") }
        if let free = status.diskFreeMiB, let total = status.diskTotalMiB, total > 0, free * 100 / total < diskFreePercentWarning {
            lines.append("the data volume has \(free) MiB free of \(total) MiB")
        }
        return lines
    }

    /// The status as text: a headline, then one line per reading.
    public var textLines: [String] {
        func known<T>(_ value: T?, _ show: (T) -> String) -> String { value.map(show) ?? "unknown" }
        var lines = ["\(keyName) (\(server)): " + (needsAttention ? "NEEDS ATTENTION" : "OK")]
        guard reachable else { return lines + attention.map { "  ! \($0)" } }
        lines += [
            "  services:      " + known(servicesDown) { $0.isEmpty ? "all running" : "not running: \(TerminalText.escaped($0.joined(separator: ", ")))" },
            "  height:        " + known(height) { "\($0)" } + " (network " + known(networkHeight) { "\($0)" } + ")"
                + (catchingUp == true ? ", catching up" : "") + (stateSyncChunk.map { ", state sync chunk \($0)/\(StateSyncWait.snapshotChunks)" } ?? ""),
            "  participant:   " + known(participantRegistered) { $0 ? "registered" : "not registered" }
                + (inCurrentEpoch.map { $0 ? ", in the current epoch" : ", not in the current epoch" } ?? ""),
            "  validator:     " + known(jailed) { $0 ? "jailed" : "not jailed" } + (missedBlocks.map { ", \($0) missed blocks" } ?? ""),
            "  ML node:       " + known(mlNodeHealthy) { $0 ? "healthy" : "not answering" } + (mlNodeStatus.map { ", \(TerminalText.escaped($0))" } ?? "")
                + (gpusSeen.map { ", \(Plural.count($0, "GPU")) seen" } ?? ""),
            "  data volume:   " + known(diskFreeMiB) { "\($0) MiB free" } + (diskTotalMiB.map { " of \($0) MiB" } ?? ""),
        ]
        return lines + attention.map { "  ! \(TerminalText.escaped($0))" }
    }
}
