@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Observations to runbook events: criticality, action and the network verdict.
@Suite(.tags(.unit)) struct SanityClassifierTests {
    let classifier = SanityClassifier()
    let now = Date(timeIntervalSince1970: 1_767_618_000)

    func report(_ nodes: [NodeObservation], reference: ReferenceNode? = nil, window: Double = 120) -> SanityReport {
        classifier.classify(nodes, reference: reference, windowSeconds: window, generated: now)
    }

    func logged(_ fixture: String, role: NodeRole? = nil, name: String = "h1") throws -> NodeObservation {
        NodeObservation(name: name, role: role, logs: try SanityFixtures.scan(fixture))
    }

    static func chain(_ start: UInt64, _ end: UInt64, proven: UInt64? = nil, ready: Bool = true) -> ChainProgress {
        ChainProgress(ready: ready, startBlock: start, endBlock: end, startProven: proven, endProven: proven, windowSeconds: 120)
    }

    @Test func healthyNodesOfEveryRoleHaveNoFindings() throws {
        let result = report([try logged("healthy-validator.jsonl", role: .validator, name: "v"), try logged("healthy-prover.log", name: "p"),
                             try logged("healthy-bot.log", name: "b")])
        #expect(result.findings.isEmpty && !result.failed)
        #expect(result.hosts.map(\.role) == [.validator, .prover, .bot])
        #expect(result.hosts.map(\.roleInferred) == [false, true, true])
        #expect(result.verdict == .unprobed, "logs alone do not show the chain moving")
    }

    @Test func eachFailureKindBecomesItsRunbookEvent() throws {
        let peers = report([try logged("validator-peer-discovery.jsonl")])
        #expect(peers.findings.map(\.event) == [.peerDiscoveryFailure] && peers.findings.first?.criticality == .major && !peers.failed)
        #expect(peers.findings.first?.summary == "18 lines with 'Failed FINDNODE request' (2026-01-05T12:00:01Z to 2026-01-05T12:03:01Z)")

        let proofs = report([try logged("prover-proof-failure.jsonl")])
        #expect(proofs.findings.map(\.event) == [.proofGenerationFailure, .componentSilent])
        #expect(proofs.findings.map(\.criticality) == [.critical, .major])
        #expect(proofs.findings.map(\.row) == [.nodeStabilityIssues, .nodeStabilityIssues])
        #expect(proofs.verdict == .unstable && proofs.instability == [.proofGenerationFailure] && proofs.failed)
        #expect(proofs.findings.first?.example?.contains("Error running epoch 322 prover job") == true)

        let crashes = report([try logged("validator-crash-loop.log")])
        let crash = try #require(crashes.findings.first)
        #expect(crashes.findings.count == 1 && crash.event == .persistentCrashes && crash.criticality == .critical)
        #expect(crash.summary == "3 restarts, 8 crash lines (out of memory 4, fatal 4)")
        #expect(crashes.hosts.first?.restarts == 3 && crashes.failed && crashes.verdict == .unprobed)

        let silent = report([try logged("validator-silent.jsonl")])
        #expect(silent.findings.map(\.event) == [.componentSilent] && silent.findings.first?.signal == "block-processing")
        #expect(silent.findings.first?.criticality == .major)
        // The same log judged as a prover misses the prover's markers instead.
        let asProver = report([try logged("validator-silent.jsonl", role: .prover)])
        #expect(asProver.findings.compactMap(\.signal) == ["block-proving", "epoch-proving"])
    }

    @Test func catalogueGradesMapToCriticalities() throws {
        let urgent = report([try logged("catalogue-urgent.jsonl")])
        #expect(urgent.findings.compactMap(\.signal) == ["keystore-is-array", "no-peers", "proposal-skipped-few-peers", "slashing-vote"])
        #expect(urgent.findings.allSatisfy { $0.criticality == .critical && $0.event == .catalogueMessage } && urgent.failed)
        let investigate = report([try logged("catalogue-investigate.jsonl")])
        #expect(investigate.findings.compactMap(\.signal) == ["attestation-timeout", "mempool-drops"])
        #expect(investigate.findings.allSatisfy { $0.criticality == .minor } && !investigate.failed)
        #expect(report([try logged("catalogue-ignore.jsonl")]).findings.isEmpty)
    }

    @Test func aOneOffRestartIsANodeStabilityIssue() {
        var logs = LogScanSummary()
        logs.lines = 10
        logs.signals["node-started"] = LogTally()
        logs.signals["node-started"]?.count = 2
        logs.signals["block-processing"] = LogTally()
        logs.signals["block-processing"]?.count = 5
        let result = report([NodeObservation(name: "h1", role: .validator, logs: logs)])
        #expect(result.findings.map(\.event) == [.nodeStability] && result.findings.first?.criticality == .major)
        #expect(result.findings.first?.summary == "1 restart, 0 crash lines")
    }

    @Test func chainProbesFindStallsLagAndNodesThatAreNotReady() {
        let moving = report([NodeObservation(name: "a", chain: Self.chain(100, 103, proven: 90)),
                             NodeObservation(name: "b", chain: Self.chain(95, 98, proven: 90)),
                             NodeObservation(name: "c", chain: Self.chain(101, 101)),
                             NodeObservation(name: "d", chain: Self.chain(103, 103, ready: false)),
                             NodeObservation(name: "e", chain: ChainProgress(windowSeconds: 120, problem: "connection refused"))])
        #expect(moving.reference?.block == 103 && moving.reference?.source == "the fleet's best node a")
        #expect(moving.hosts.map(\.lag) == [0, 5, 2, 0, nil])
        #expect(moving.hosts[0].findings.isEmpty)
        #expect(moving.hosts[1].findings.first?.summary == "5 blocks behind the fleet's best node a (limit 3)")
        #expect(moving.hosts[2].findings.first?.summary == "the node stayed at block 101 for 120 s while the fleet's best node a moved on (2 blocks behind)")
        #expect(moving.hosts[3].findings.first?.summary == "node_isReady is false")
        #expect(moving.hosts[4].findings.first?.summary == "the node's JSON-RPC did not answer: connection refused")
        #expect(moving.hosts[1...].allSatisfy { $0.findings.first?.event == .syncProblem && $0.findings.first?.criticality == .critical })
        // Four of five nodes have sync problems: that is the network's too.
        #expect(moving.network.map(\.event) == [.syncProblem] && moving.network.first?.summary == "4 of 5 nodes have sync problems (b, c, d, e)")
        #expect(moving.verdict == .unstable && moving.instability == [.syncProblem])

        let stalled = report([NodeObservation(name: "a", chain: Self.chain(100, 100, proven: 90)),
                              NodeObservation(name: "b", chain: Self.chain(100, 100, proven: 90))])
        #expect(stalled.network.map(\.event) == [.blockProductionStall])
        #expect(stalled.network.first?.summary == "no new block in 120 s on the fleet's best node a (block 100)")
        #expect(stalled.hosts.allSatisfy { $0.findings.isEmpty }, "a stuck node is only a node problem when the network moves")
        #expect(stalled.verdict == .unstable && stalled.network.first?.criticality == .critical && stalled.network.first?.row == .networkWideProblems)
        #expect(stalled.network.first?.action.hasPrefix("Network-wide problem: escalate to the Delta team (Alpha/Delta Teams). Network instability: create a detailed issue report for the Alpha team.") == true)
        #expect(report([NodeObservation(name: "a", chain: Self.chain(100, 100))], window: 0).network.isEmpty, "no window, no stall check")

        let healthy = report([NodeObservation(name: "a", chain: Self.chain(100, 102, proven: 60))])
        #expect(healthy.verdict == .stable && healthy.findings.isEmpty)
        let unproven = report([NodeObservation(name: "a", chain: Self.chain(300, 302, proven: 100))])
        #expect(unproven.network.map(\.event) == [.proofGenerationFailure] && unproven.verdict == .unstable)
        #expect(unproven.network.first?.summary == "the proven chain is 202 blocks behind the newest block on the fleet's best node a (limit 96)")
    }

    @Test func aReferenceNodeDecidesLagAndStall() {
        let reference = ReferenceNode(label: "http://ref.example:8080", progress: Self.chain(200, 204, proven: 180))
        let result = report([NodeObservation(name: "a", chain: Self.chain(200, 204)), NodeObservation(name: "b", chain: Self.chain(150, 152))],
                            reference: reference)
        #expect(result.reference?.source == "the reference http://ref.example:8080")
        #expect(result.hosts.map(\.lag) == [0, 52])
        #expect(result.hosts[1].findings.first?.event == .syncProblem && result.network.isEmpty && result.verdict == .stable)
        let stalledReference = ReferenceNode(label: "ref", progress: Self.chain(200, 200))
        #expect(report([NodeObservation(name: "a", chain: Self.chain(190, 195))], reference: stalledReference).network.first?.event == .blockProductionStall)
    }

    @Test func missedDutiesContainersAndUnreachableServers() throws {
        let address = try #require(EthereumAddress(hex: "0x" + String(repeating: "ab", count: 20)))
        var chain = Self.chain(10, 12)
        chain.validators = [ValidatorDutyRecord(ValidatorDutyStats(address: address, totalSlots: 30, missedAttestations: 4, missedAttestationsStreak: 3,
                                                                   missedProposals: 0, lastAttestationSlot: nil, lastProposalSlot: nil))]
        let missed = report([NodeObservation(name: "a", chain: chain)])
        #expect(missed.findings.map(\.event) == [.missedDuties] && missed.findings.first?.criticality == .major)
        chain.validators?[0].missedAttestationsStreak = 1
        #expect(report([NodeObservation(name: "a", chain: chain)]).findings.first?.criticality == .minor)

        let restarting = report([NodeObservation(name: "a", container: ContainerState(name: "aztec-node", status: "restarting", restartCount: 7, exitCode: 137, oomKilled: true))])
        #expect(restarting.findings.first?.event == .persistentCrashes && restarting.hosts.first?.restarts == 7)
        #expect(restarting.findings.first?.summary == "container aztec-node is restarting (restart 7, last exit 137, killed for lack of memory)")
        let exited = report([NodeObservation(name: "a", container: ContainerState(name: "aztec-node", status: "exited", restartCount: 0, exitCode: 1))])
        #expect(exited.findings.first?.event == .nodeStability && exited.findings.first?.criticality == .critical)
        let gone = report([NodeObservation(name: "a", unreachable: "connection refused")])
        #expect(gone.findings.first?.criticality == .critical && gone.failed)
    }

    @Test func theTextReportShowsTheTableTheFindingsAndTheVerdict() throws {
        let result = report([try logged("prover-proof-failure.jsonl", name: "p1"), NodeObservation(name: "v1", role: .validator, chain: Self.chain(10, 11, proven: 5))])
        let text = result.text()
        #expect(text.hasPrefix("HOST  ROLE       LINES  ERRORS  RESTARTS  BLOCK  NEW  LAG  PROVEN  READY  TPS  POOL  STATUS\np1    prover*    12     2       0         -      -    -    -       -      -    -     1 Critical, 1 Major\nv1    validator  -      -       -         11     +1   0    5       yes    -    -     ok\n"))
        #expect(text.contains("  [Critical] p1: proof generation failure: Epoch proving job failed: 2 lines with 'Error running epoch'"))
        #expect(text.contains("      matrix: Node stability issues (Delta Team)\n"))
        #expect(text.contains("Verdict: network unstable (proof generation failure); 0 Blocker, 1 Critical, 1 Major, 0 Minor"))
        #expect(result.text(redact: { $0.replacingOccurrences(of: "epoch", with: "***") }).contains("Error running *** 322"))
        #expect(SanityReport.printable("a\u{1B}[31mb\tc") == "a^[[31mb^Ic")
    }
}
