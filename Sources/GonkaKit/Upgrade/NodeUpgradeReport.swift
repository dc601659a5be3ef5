import FleetKit
import Foundation

/// What an upgrade found and did: each node's plan (and what was pulled and sent), the
/// batches, and the rollout's outcome per node (`nil` in check mode).
public struct NodeUpgradeReport: Sendable, Codable, Equatable {
    /// The release tag.
    public var tag: String
    /// Whether nothing was changed (check mode).
    public var checkMode: Bool
    /// Every node's plan, in the order of the node files.
    public var nodes: [NodeUpgradePlan]
    /// The nodes that change, batch by batch, in the order they go.
    public var batches: [[String]]
    /// The batch size (`1`, `25%`).
    public var batchSize: String
    /// How long the gate waits for each restarted node.
    public var gateTimeoutSeconds: Int
    /// What the rollout did with each node; `nil` in check mode.
    public var rollout: RolloutReport?

    /// Creates a report.
    public init(tag: String, checkMode: Bool, nodes: [NodeUpgradePlan], batches: [[String]], batchSize: String, gateTimeoutSeconds: Int,
                rollout: RolloutReport? = nil) {
        self.tag = tag
        self.checkMode = checkMode
        self.nodes = nodes
        self.batches = batches
        self.batchSize = batchSize
        self.gateTimeoutSeconds = gateTimeoutSeconds
        self.rollout = rollout
    }

    /// Whether every node that changed was upgraded and passed its gate (always in check mode).
    public var succeeded: Bool { rollout?.succeeded ?? true }

    /// The plans, the batches, then (after a run) the recap: done, failed and not run.
    public var textLines: [String] {
        var lines = [checkMode ? "Upgrade to \(tag), checked only: nothing was changed." : "Upgrade to \(tag):", ""]
        lines += nodes.map(\.textLines).joined(separator: [""])
        lines += ["", "Rollout: batch size \(batchSize), health gate up to \(gateTimeoutSeconds) s per restarted node"]
        if batches.isEmpty { lines.append("  no node changes") }
        lines += batches.enumerated().map { "  batch \($0.offset + 1): \(TerminalText.escaped($0.element.joined(separator: ", ")))" }
        guard let rollout else { return lines }
        lines += ["", "Recap:"] + rollout.recapLines.map { "  " + $0 }
        let failed = rollout.hosts.filter { $0.outcome == .failed || $0.outcome == .gateFailed }.count
        let notRun = rollout.hosts.filter { $0.outcome == .notRun }.count
        let done = rollout.hosts.filter { $0.outcome == .done }.count
        lines.append(succeeded ? "\(Plural.count(done, "node")) upgraded to \(tag)."
                     : "\(done) upgraded, \(failed) failed, \(notRun) not run (left as they were).")
        return lines
    }

    /// The report as JSON (sorted keys, pretty), for `--json`.
    public func jsonData() throws -> Data { try JSONEncoder.report(escapingSlashes: false).encode(self) }
}
