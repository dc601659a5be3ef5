import Foundation

/// The network's state in the runbook's words.
public enum NetworkVerdict: String, Sendable, Codable {
    /// Blocks advanced and none of the runbook's instability conditions holds.
    case stable
    /// At least one of the runbook's instability conditions holds.
    case unstable
    /// No instability seen in the logs, but no node's chain could be sampled to confirm it.
    case unprobed

    /// The verdict as a sentence's head: "network stable", "network unstable".
    public var phrase: String {
        switch self {
        case .stable: "network stable"
        case .unstable: "network unstable"
        case .unprobed: "no instability in the logs (chain not probed)"
        }
    }
}

/// The block the nodes were compared with, and where it came from.
public struct ReferencePoint: Sendable, Codable, Equatable {
    /// "the reference URL" or "the fleet's best node NAME".
    public var source: String
    /// Its newest block at the end of the window.
    public var block: UInt64?
    /// Blocks it saw appear during the window.
    public var newBlocks: UInt64?
    /// Its proven block at the end of the window.
    public var proven: UInt64?
}

/// A reference node asked from this machine, with its samples.
public struct ReferenceNode: Sendable, Codable, Equatable {
    /// How it is named in reports (its URL with credentials masked).
    public var label: String
    /// What it answered over the window.
    public var progress: ChainProgress

    /// Creates a reference.
    public init(label: String, progress: ChainProgress) {
        self.label = label
        self.progress = progress
    }
}

/// One node's part of the report: what was observed, its role and its findings.
public struct HostSanity: Sendable, Codable, Equatable {
    /// What was observed.
    public var observation: NodeObservation
    /// The role its log was judged by.
    public var role: NodeRole
    /// Whether the role was read from the log rather than declared.
    public var roleInferred: Bool
    /// Blocks behind the reference, when both are known.
    public var lag: UInt64?
    /// Restarts seen: node starts in the log after the first, or Docker's restart count.
    public var restarts: Int
    /// Reorgs seen: prunes in the log (the most any reorg signal counted) plus a block
    /// replaced between the samples.
    public var reorgs: Int = 0
    /// Its view of the window's blocks, when it answered `node_getBlocks`.
    public var throughput: Throughput?
    /// Its findings, worst first.
    public var findings: [SanityFinding]

    /// The worst criticality of its findings, `nil` when it has none.
    public var worst: Criticality? { findings.map(\.criticality).max() }
}

/// The outcome of a sanity check: per node and for the network, with the verdict.
public struct SanityReport: Sendable, Codable, Equatable {
    /// When the check ended.
    public var generated: Date
    /// The sampling window, in seconds.
    public var windowSeconds: Double
    /// The verdict on the network.
    public var verdict: NetworkVerdict
    /// The instability conditions that hold, in the runbook's order.
    public var instability: [RunbookEvent]
    /// What the nodes were compared with.
    public var reference: ReferencePoint?
    /// The chain's transactions per second and block fill over the window, from every
    /// block the fleet returned; `nil` when no node answered `node_getBlocks`.
    public var throughput: Throughput?
    /// Each node, in the order given.
    public var hosts: [HostSanity]
    /// Findings about the network as a whole.
    public var network: [SanityFinding]
    /// Deployment issues: the servers an install report shows failing.
    public var deployment: [SanityFinding] = []

    /// Every finding, worst first: deployment and network findings before host findings of
    /// equal criticality.
    public var findings: [SanityFinding] {
        let all = deployment + network + hosts.flatMap(\.findings)
        return all.enumerated().sorted { lhs, rhs in
            lhs.element.criticality != rhs.element.criticality ? lhs.element.criticality > rhs.element.criticality : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// Whether the check fails (exit 1): any Blocker or Critical finding.
    public var failed: Bool { findings.contains { $0.criticality.failsCheck } }
}
