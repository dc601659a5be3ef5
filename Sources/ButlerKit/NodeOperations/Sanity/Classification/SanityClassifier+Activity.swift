import FleetKit
import Foundation

extension SanityClassifier {
    /// A finding about the network as a whole: Critical with the Release Support matrix's
    /// "escalate to the Delta team", plus the Alpha team's issue report when it is one of
    /// the runbook's instability conditions.
    static func networkFinding(_ event: RunbookEvent, _ summary: String, _ action: String) -> SanityFinding {
        let instability = event.isInstabilityCondition ? " Network instability: create a detailed issue report for the Alpha team." : ""
        return SanityFinding(event: event, criticality: .critical, host: nil, summary: summary,
                             action: "Network-wide problem: escalate to the Delta team (Alpha/Delta Teams).\(instability) \(action)")
    }

    /// The chain's throughput over the window as the fleet saw it: every block any node
    /// returned, once per height (a node's end sample before anyone's start sample), from the
    /// lowest tip at the start to the highest at the end.
    static func fleetThroughput(_ chains: [ChainProgress], windowSeconds: Double) -> Throughput? {
        let answered = chains.filter { $0.windowBlocks != nil }
        guard let base = answered.compactMap(\.startBlock).min(), let newest = answered.compactMap(\.endBlock).max() else { return nil }
        var byHeight: [UInt64: L2BlockSummary] = [:]
        for block in answered.flatMap({ $0.endBlocks ?? [] }) + answered.flatMap({ $0.startBlocks ?? [] }) where byHeight[block.number] == nil {
            byHeight[block.number] = block
        }
        let blocks = byHeight.values.filter { $0.number > base && $0.number <= newest }.sorted { $0.number < $1.number }
        return Throughput(blocks: blocks, base: byHeight[base], windowSeconds: windowSeconds)
    }

    /// A node's reorgs: the most any reorg signal counted in its log, plus one when a block
    /// was replaced between the samples; a finding when there are any. Also the bridge and
    /// contract errors its JSON-RPC answered with.
    func reorgFindings(_ node: NodeObservation, role: NodeRole,
                       add: (RunbookEvent, Criticality, String, String?, String?, String?) -> Void) -> Int {
        let reorgSignals = signals.signals.filter { $0.kind == .reorg && $0.applies(to: role) }
        let logged = reorgSignals.map { node.logs?.count(of: $0.id) ?? 0 }.max() ?? 0
        let observed = node.chain?.reorg
        let reorgs = logged + (observed == nil ? 0 : 1)
        if reorgs > 0 {
            var parts: [String] = []
            if logged > 0 { parts.append("\(Plural.count(logged, "prune")) in the log") }
            if let observed {
                parts.append("block \(observed.height) changed between the samples (\(Plural.count(Int(observed.depth), "block")) replaced or given up)")
            }
            let signal = reorgSignals.first { (node.logs?.count(of: $0.id) ?? 0) > 0 }
            let persistent = reorgs >= thresholds.reorgLimit
            add(.chainReorg, persistent ? .major : .minor,
                "\(Plural.count(reorgs, "reorg")): \(parts.joined(separator: "; ")) (persistent from \(thresholds.reorgLimit))",
                persistent ? nil : "A single prune follows an epoch that missed its proof or an L1 reorg; watch for more.",
                signal?.id, signal.flatMap { node.logs?.signals[$0.id]?.example })
        }
        if let problem = node.chain?.problem {
            for signal in signals.signals where signal.event == .bridgeFailure && problem.contains(signal.text) {
                add(.bridgeFailure, signal.whenSeen ?? .critical, "\(signal.title): the node's JSON-RPC answered with '\(TerminalText.quoted(signal.text))'",
                    signal.action.isEmpty ? nil : signal.action, signal.id, nil)
            }
        }
        return reorgs
    }

    /// Network findings of the chain's activity: transaction inclusion, persistent reorgs,
    /// throughput below the minimum.
    func activityFindings(_ hosts: [HostSanity], throughput: Throughput?, windowSeconds: Double) -> [SanityFinding] {
        var findings: [SanityFinding] = []
        let stalled = hosts.filter { $0.observation.chain?.inclusionStalled(minimumPending: thresholds.minimumPending) == true }
        if windowSeconds > 0, !stalled.isEmpty, let throughput, throughput.transactions == 0 {
            let pools = stalled.map { host in
                "\(host.observation.name) \(host.observation.chain?.startPending ?? 0) → \(host.observation.chain?.endPending ?? 0)"
            }
            findings.append(Self.networkFinding(.txInclusion,
                "transactions waited in the pool at both samples (\(pools.joined(separator: ", "))) while the \(Plural.count(throughput.blocks, "block")) of the last \(SanityText.seconds(windowSeconds)) included none",
                "Check the sequencers' logs for dropped or rejected transactions and for block building failures; compare the proposers' mempools."))
        }
        if let worst = hosts.max(by: { $0.reorgs < $1.reorgs }), worst.reorgs >= thresholds.reorgLimit {
            let seen = hosts.filter { $0.reorgs > 0 }.map { "\($0.observation.name) \($0.reorgs)" }
            findings.append(Self.networkFinding(.chainReorg,
                "persistent chain reorgs: \(seen.joined(separator: ", ")) (limit \(thresholds.reorgLimit))",
                "Check whether epochs miss their proofs (provers, their publishers' ETH) or L1 reorgs; the archivers' 'Unwound' lines name the L1 block."))
        }
        if let minimum = thresholds.minimumTPS {
            if let throughput {
                if throughput.transactionsPerSecond < minimum {
                    findings.append(Self.networkFinding(.lowThroughput, "\(throughput.phrase), below the minimum of \(Throughput.rate(minimum)) tx/s",
                                                        "Check the bots that send transactions and the sequencers' block building (mempool drops, timeouts)."))
                }
            } else {
                findings.append(SanityFinding(event: .lowThroughput, criticality: .minor, host: nil,
                                              summary: "throughput not measured: no node answered node_getBlocks over the window",
                                              action: "Sample a node that serves node_getBlocks (a reference node) to measure TPS.",
                                              row: .minorOperationalIssues))
            }
        }
        return findings
    }
}
