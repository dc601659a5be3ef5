import FleetKit
import Foundation

/// Turns observations of nodes into runbook events with criticality and action, per node and
/// for the network, and decides whether the network is unstable.
///
/// Per node: SSH or the container failing; crashes and restarts (persistent from
/// ``SanityThresholds/crashLimit``); each log signal seen with a `whenSeen` criticality, each
/// expected one missing; the chain not answering, not ready, stuck or behind; validators
/// missing duties; reorgs (prunes in the log, a block replaced between the samples); bridge
/// and contract errors. For the network, graded Critical as the Release Support matrix grades
/// network-wide problems: no block in the window anywhere (block production stall), the
/// proven chain too far behind (proof generation failure), transactions pending at both
/// samples while no block of the window included one (transaction inclusion), reorgs at or
/// above ``SanityThresholds/reorgLimit`` on a node (persistent reorgs), throughput below
/// ``SanityThresholds/minimumTPS``, and sync problems or persistent crashes on more than half
/// of the nodes (of two or more). Servers an install report shows failing are deployment
/// issues (Blocker). The network is unstable when any finding is an instability condition
/// (``SanityFinding/isInstability``).
public struct SanityClassifier: Sendable {
    /// The signals the logs were scanned for.
    public var signals: LogSignalTable
    /// The limits.
    public var thresholds: SanityThresholds

    /// Creates a classifier.
    public init(signals: LogSignalTable = .aztec, thresholds: SanityThresholds = SanityThresholds()) {
        self.signals = signals
        self.thresholds = thresholds
    }

    /// Classifies every node and the network.
    public func classify(_ nodes: [NodeObservation], reference: ReferenceNode? = nil, deployment: [DeploymentFailure] = [],
                         windowSeconds: Double, generated: Date) -> SanityReport {
        let point = referencePoint(nodes, reference)
        let networkMoved = point.newBlocks.map { $0 > 0 }
        var hosts = nodes.map { host($0, reference: point, networkMoved: networkMoved) }
        for index in hosts.indices { hosts[index].findings = Self.ordered(hosts[index].findings) }
        let throughput = Self.fleetThroughput(nodes.compactMap(\.chain) + (reference.map { [$0.progress] } ?? []), windowSeconds: windowSeconds)
        let network = Self.ordered(networkFindings(hosts, point, windowSeconds: windowSeconds)
                                   + activityFindings(hosts, throughput: throughput, windowSeconds: windowSeconds))
        let deploymentFindings = deployment.map { failure in
            SanityFinding(event: .deploymentIssue, criticality: .blocker, host: failure.host, summary: failure.summary,
                          action: RunbookMatrixRow.deploymentIssues.phrase)
        }
        let all = network + deploymentFindings + hosts.flatMap(\.findings)
        let instability = RunbookEvent.allCases.filter { event in all.contains { $0.event == event && $0.isInstability } }
        let probed = point.block != nil
        let verdict: NetworkVerdict = !instability.isEmpty ? .unstable : probed ? .stable : .unprobed
        return SanityReport(generated: generated, windowSeconds: windowSeconds, verdict: verdict, instability: instability,
                            reference: point.block == nil && reference == nil ? nil : point, throughput: throughput, hosts: hosts,
                            network: network, deployment: deploymentFindings)
    }

    static func ordered(_ findings: [SanityFinding]) -> [SanityFinding] {
        findings.enumerated().sorted { lhs, rhs in
            lhs.element.criticality != rhs.element.criticality ? lhs.element.criticality > rhs.element.criticality : lhs.offset < rhs.offset
        }.map(\.element)
    }

    /// The reference node's samples, else the fleet's best node (highest block at the end).
    func referencePoint(_ nodes: [NodeObservation], _ reference: ReferenceNode?) -> ReferencePoint {
        if let reference {
            return ReferencePoint(source: "the reference \(reference.label)", block: reference.progress.endBlock,
                                  newBlocks: reference.progress.newBlocks, proven: reference.progress.endProven)
        }
        let answered = nodes.filter { $0.chain?.endBlock != nil }
        guard let best = answered.max(by: { ($0.chain?.endBlock ?? 0) < ($1.chain?.endBlock ?? 0) }) else {
            return ReferencePoint(source: "the fleet's best node", block: nil, newBlocks: nil, proven: nil)
        }
        let moved = answered.compactMap { $0.chain?.newBlocks }.max()
        return ReferencePoint(source: "the fleet's best node \(best.name)", block: best.chain?.endBlock, newBlocks: moved,
                              proven: best.chain?.endProven)
    }

    func host(_ node: NodeObservation, reference: ReferencePoint, networkMoved: Bool?) -> HostSanity {
        let inferred = node.role == nil
        let role = node.role ?? node.logs.map { NodeRole.inferred(from: $0, signals: signals) } ?? .validator
        var findings: [SanityFinding] = []
        func add(_ event: RunbookEvent, _ criticality: Criticality, _ summary: String, action: String? = nil,
                 signal: String? = nil, example: String? = nil) {
            findings.append(SanityFinding(event: event, criticality: criticality, host: node.name, summary: summary,
                                          action: action ?? event.matrixAction(criticality), signal: signal, example: example))
        }
        if let reason = node.unreachable {
            add(.nodeStability, .critical, "the server could not be reached: \(reason)", action: "Check that the server is up and answers SSH, then run the check again.")
        }
        let starts = node.logs.map { logs in startSignals.reduce(0) { $0 + logs.count(of: $1) } } ?? 0
        let restarts = max(starts - 1, node.container?.restartCount ?? 0, 0)
        containerFindings(node, add: add)
        if let logs = node.logs { logFindings(logs, role: role, restarts: restarts, add: add) }
        if let problem = node.logProblem { add(.nodeStability, .major, "the log could not be read: \(problem)") }
        var lag: UInt64?
        if let chain = node.chain {
            lag = chainFindings(chain, reference: reference, networkMoved: networkMoved, add: add)
        }
        let reorgs = reorgFindings(node, role: role, add: add)
        return HostSanity(observation: node, role: role, roleInferred: inferred, lag: lag, restarts: restarts, reorgs: reorgs,
                          throughput: node.chain?.throughput, findings: findings)
    }

    private var startSignals: [String] { signals.signals.filter { $0.kind == .start }.map(\.id) }

    private func containerFindings(_ node: NodeObservation, add: (RunbookEvent, Criticality, String, String?, String?, String?) -> Void) {
        guard let container = node.container else { return }
        let memory = container.oomKilled ? ", killed for lack of memory" : ""
        switch container.status {
        case "running":
            break
        case "restarting":
            add(.persistentCrashes, .critical, "container \(container.name) is restarting (restart \(container.restartCount), last exit \(container.exitCode)\(memory))", nil, nil, nil)
        default:
            add(.nodeStability, .critical, "container \(container.name) is \(container.status) (exit \(container.exitCode)\(memory))",
                "Start the node again (aztec-fleet restart) and read the end of its log for the reason it stopped.", nil, nil)
        }
    }
}

extension SanityClassifier {
    /// Findings of the log: crashes and restarts, signals seen, expected signals missing.
    func logFindings(_ logs: LogScanSummary, role: NodeRole, restarts: Int,
                     add: (RunbookEvent, Criticality, String, String?, String?, String?) -> Void) {
        let crashSignals = signals.signals.filter { $0.kind == .crash }
        let crashLines = crashSignals.reduce(0) { $0 + logs.count(of: $1.id) } + logs.fatals.count
        if restarts > 0 || crashLines > 0 {
            let seen = crashSignals.filter { logs.count(of: $0.id) > 0 }.map { "\($0.title.lowercased()) \(logs.count(of: $0.id))" }
                + (logs.fatals.count > 0 ? ["fatal \(logs.fatals.count)"] : [])
            let what = "\(Plural.count(restarts, "restart")), \(Plural.count(crashLines, "crash line"))"
                + (seen.isEmpty ? "" : " (\(seen.joined(separator: ", ")))")
            let example = crashSignals.lazy.compactMap { logs.signals[$0.id]?.example }.first ?? logs.fatals.example
            if restarts >= thresholds.crashLimit || crashLines >= thresholds.crashLimit {
                add(.persistentCrashes, .critical, what, "Collect the logs around the crashes and create an issue; fix the cause (memory, configuration) before restarting again.", nil, example)
            } else {
                add(.nodeStability, .major, what, nil, nil, example)
            }
        }
        for signal in signals.signals where signal.applies(to: role) {
            let tally = logs.signals[signal.id] ?? LogTally()
            if let criticality = signal.whenSeen, tally.count > 0 {
                let event = signal.event ?? .catalogueMessage
                // "peer discovery failures: Peer discovery failure: …" says it twice.
                let title = event.title.lowercased().hasPrefix(signal.title.lowercased()) ? "" : "\(signal.title): "
                add(event, criticality, "\(title)\(Plural.count(tally.count, "line")) with '\(TerminalText.quoted(signal.text))'\(Self.span(tally))",
                    signal.action.isEmpty ? nil : signal.action, signal.id, tally.example)
            }
            if let criticality = signal.whenMissing, tally.count == 0, logs.lines > 0 {
                add(signal.event ?? .componentSilent, criticality,
                    "\(signal.title): '\(TerminalText.quoted(signal.text))' not once in \(Plural.count(logs.lines, "line")) of a \(role.rawValue)'s log",
                    signal.action.isEmpty ? nil : signal.action, signal.id, nil)
            }
        }
        if logs.lines == 0 {
            add(.nodeStability, .major, "the log of the scanned period is empty", "Check that the node runs and logs (LOG_LEVEL), and that --since covers its activity.", nil, nil)
        }
    }

    /// " (first … – last …)" when the tally has times.
    static func span(_ tally: LogTally) -> String {
        guard let first = tally.first, let last = tally.last else { return "" }
        return first == last ? " (at \(SanityText.time(first)))" : " (\(SanityText.time(first)) to \(SanityText.time(last)))"
    }

    /// Findings of the chain samples; returns the lag behind the reference.
    func chainFindings(_ chain: ChainProgress, reference: ReferencePoint, networkMoved: Bool?,
                       add: (RunbookEvent, Criticality, String, String?, String?, String?) -> Void) -> UInt64? {
        var lag: UInt64?
        if let end = chain.endBlock, let best = reference.block { lag = best > end ? best - end : 0 }
        if let problem = chain.problem {
            add(.syncProblem, .critical, "the node's JSON-RPC did not answer: \(problem)",
                "Check that the node runs and listens on its RPC port, then read its log.", nil, nil)
        } else if chain.ready == false {
            add(.syncProblem, .critical, "node_isReady is false", "The node is starting or syncing; if it stays so, check its L1 RPC and its peers.", nil, nil)
        } else if chain.newBlocks == 0, networkMoved == true, let end = chain.endBlock {
            add(.syncProblem, .critical, "the node stayed at block \(end) for \(SanityText.seconds(chain.windowSeconds)) while \(reference.source) moved on"
                + (lag.map { " (\(Plural.count(Int($0), "block")) behind)" } ?? ""),
                "The node stopped following the chain: check its L1 RPC, its peers and its log.", nil, nil)
        } else if let lag, lag > thresholds.maxLag {
            add(.syncProblem, .critical, "\(Plural.count(Int(lag), "block")) behind \(reference.source) (limit \(thresholds.maxLag))",
                "The node is behind: check its L1 RPC and consensus URLs and its peers; aztec-fleet sync compares proven blocks.", nil, nil)
        }
        let missing = (chain.validators ?? []).filter { $0.missedAttestations > 0 || $0.missedProposals > 0 }
        if !missing.isEmpty {
            let streaking = missing.filter { $0.longestStreak >= thresholds.missedStreakLimit }
            let worst = missing.max { $0.longestStreak < $1.longestStreak }
            let detail = worst.map { " (worst \($0.address): \($0.missedAttestations) attestations and \($0.missedProposals) proposals missed, \($0.longestStreak) in a row)" } ?? ""
            add(.missedDuties, streaking.isEmpty ? .minor : .major,
                "\(Plural.count(missing.count, "validator")) of \(chain.validators?.count ?? 0) missed duties in the sentinel's window\(detail)",
                "A missed duty is a lost reward and, over an epoch, inactivity: check the node's peers and its sync, and aztec-butler's missed-duty metrics.", nil, nil)
        }
        return lag
    }

    /// Findings about the network as a whole.
    func networkFindings(_ hosts: [HostSanity], _ reference: ReferencePoint, windowSeconds: Double) -> [SanityFinding] {
        var findings: [SanityFinding] = []
        func add(_ event: RunbookEvent, _ summary: String, _ action: String) {
            findings.append(Self.networkFinding(event, summary, action))
        }
        if windowSeconds > 0, let moved = reference.newBlocks, moved == 0, let block = reference.block {
            add(.blockProductionStall, "no new block in \(SanityText.seconds(windowSeconds)) on \(reference.source) (block \(block))",
                "Check the sequencers' logs for proposals and attestations and the L1 they publish to.")
        }
        if let block = reference.block, let proven = reference.proven, block > proven, block - proven > thresholds.maxProvenLag {
            add(.proofGenerationFailure, "the proven chain is \(Plural.count(Int(block - proven), "block")) behind the newest block on \(reference.source) (limit \(thresholds.maxProvenLag))",
                "Check the provers' logs for failed epoch proofs and their publishers' ETH.")
        }
        let probed = hosts.filter { $0.observation.chain != nil || $0.observation.unreachable != nil }
        let syncing = probed.filter { $0.findings.contains { $0.event == .syncProblem } }
        if probed.count > 1, syncing.count * 2 > probed.count {
            add(.syncProblem, "\(syncing.count) of \(probed.count) nodes have sync problems (\(syncing.map(\.observation.name).joined(separator: ", ")))",
                "Look for a common cause: the L1 RPC they share, the boot nodes, a release.")
        }
        let crashing = hosts.filter { $0.findings.contains { $0.event == .persistentCrashes } }
        if hosts.count > 1, crashing.count * 2 > hosts.count {
            add(.persistentCrashes, "\(crashing.count) of \(hosts.count) nodes crash persistently (\(crashing.map(\.observation.name).joined(separator: ", ")))",
                "Look for a common cause: the release, the host resources, the configuration.")
        }
        return findings
    }
}

/// Numbers and times as reports write them.
enum SanityText {
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
