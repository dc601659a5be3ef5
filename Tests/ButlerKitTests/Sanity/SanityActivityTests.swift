@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Throughput, transaction inclusion, reorgs, bridge failures and deployment issues: the
/// runbook's network checks beyond blocks and proofs, and the matrix rows they fall under.
@Suite(.tags(.unit)) struct SanityActivityTests {
    let now = Date(timeIntervalSince1970: 1_767_618_000)

    func report(_ nodes: [NodeObservation], thresholds: SanityThresholds = SanityThresholds(), deployment: [DeploymentFailure] = []) -> SanityReport {
        SanityClassifier(thresholds: thresholds).classify(nodes, deployment: deployment, windowSeconds: 120, generated: now)
    }

    static func block(_ number: UInt64, txs: Int, hash: String? = nil) -> L2BlockSummary {
        L2BlockSummary(number: number, hash: hash ?? "0xa\(number)", timestamp: 1_767_600_000 + 36 * number, transactions: txs)
    }

    /// A node that saw blocks `start-3…start` first, then up to `end`, each with `txs` transactions.
    static func chain(_ start: UInt64, _ end: UInt64, txs: Int = 3, pending: (UInt64, UInt64)? = (0, 0)) -> ChainProgress {
        var chain = ChainProgress(ready: true, startBlock: start, endBlock: end, startProven: start - 2, endProven: end - 2, windowSeconds: 120)
        chain.startBlocks = ((start - 3)...start).map { block($0, txs: txs) }
        chain.endBlocks = ((start - 3)...end).map { block($0, txs: txs) }
        chain.startPending = pending?.0
        chain.endPending = pending?.1
        return chain
    }

    @Test func throughputPerNodeAndFleetWideAgainstTheMinimum() throws {
        let nodes = [NodeObservation(name: "a", chain: Self.chain(100, 104, txs: 9)), NodeObservation(name: "b", chain: Self.chain(101, 102, txs: 9))]
        let healthy = report(nodes, thresholds: SanityThresholds(minimumTPS: 0.2))
        let a = try #require(healthy.hosts[0].throughput)
        #expect(a.blocks == 4 && a.transactions == 36 && a.seconds == 144 && a.nonEmptyBlocks == 4)
        #expect(healthy.hosts[1].throughput?.blocks == 1)
        let fleet = try #require(healthy.throughput)
        #expect(fleet.blocks == 4 && fleet.transactions == 36 && fleet.transactionsPerSecond == 0.25, "the union of both views, once per height")
        #expect(fleet.phrase == "0.25 tx/s (36 txs in 4 blocks over 144 s, 9.0 per block, 4 of 4 blocks with transactions)")
        #expect(healthy.findings.isEmpty && healthy.verdict == .stable)

        let slow = report(nodes, thresholds: SanityThresholds(minimumTPS: 0.5))
        let finding = try #require(slow.network.first)
        #expect(slow.network.count == 1 && finding.event == .lowThroughput && finding.criticality == .critical && finding.row == .networkWideProblems)
        #expect(finding.summary == "0.25 tx/s (36 txs in 4 blocks over 144 s, 9.0 per block, 4 of 4 blocks with transactions), below the minimum of 0.50 tx/s")
        #expect(slow.failed && slow.verdict == .stable, "low throughput is a network-wide problem, not one of the instability conditions")
        #expect(slow.text().contains("Throughput: 0.25 tx/s"))

        var unmeasured = Self.chain(100, 104)
        unmeasured.startBlocks = nil
        unmeasured.endBlocks = nil
        let blind = report([NodeObservation(name: "a", chain: unmeasured)], thresholds: SanityThresholds(minimumTPS: 0.5))
        #expect(blind.throughput == nil && blind.network.map(\.criticality) == [.minor] && !blind.failed)
    }

    @Test func transactionsWaitingWhileBlocksIncludeNoneIsAnInclusionIssue() throws {
        let stalled = report([NodeObservation(name: "a", chain: Self.chain(100, 103, txs: 0, pending: (5, 7))),
                              NodeObservation(name: "b", chain: Self.chain(100, 103, txs: 0, pending: (0, 0)))])
        let finding = try #require(stalled.network.first)
        #expect(finding.event == .txInclusion && finding.criticality == .critical && finding.isInstability)
        #expect(finding.summary == "transactions waited in the pool at both samples (a 5 → 7) while the 3 blocks of the last 120 s included none")
        #expect(stalled.verdict == .unstable && stalled.instability == [.txInclusion])
        #expect(stalled.text().contains("a     validator*  -      -       -         103    +3   0    101     yes    0.00  7     ok\n"))

        // A node whose own view has no new block while the fleet's blocks include transactions: its pool is not stalled.
        #expect(report([NodeObservation(name: "a", chain: Self.chain(100, 100, txs: 0, pending: (5, 7))),
                        NodeObservation(name: "b", chain: Self.chain(100, 103, txs: 2))]).network.allSatisfy { $0.event != .txInclusion })
        // Transactions included, a pool emptied, or no pool count: no inclusion issue.
        #expect(report([NodeObservation(name: "a", chain: Self.chain(100, 103, txs: 1, pending: (5, 7)))]).network.isEmpty)
        #expect(report([NodeObservation(name: "a", chain: Self.chain(100, 103, txs: 0, pending: (5, 0)))]).network.isEmpty)
        #expect(report([NodeObservation(name: "a", chain: Self.chain(100, 103, txs: 0, pending: nil))]).network.isEmpty)
        #expect(report([NodeObservation(name: "a", chain: Self.chain(100, 103, txs: 0, pending: (5, 7)))],
                       thresholds: SanityThresholds(minimumPending: 10)).network.isEmpty)
    }

    @Test func aBlockReplacedBetweenSamplesAndPrunesInTheLogAreReorgs() throws {
        var reorged = Self.chain(100, 103)
        reorged.endBlocks = reorged.endBlocks?.map { $0.number >= 99 ? Self.block($0.number, txs: 3, hash: "0xb\($0.number)") : $0 }
        let observed = try #require(reorged.reorg)
        #expect(observed == ObservedReorg(height: 99, depth: 2, before: "0xa99", after: "0xb99"))
        let once = report([NodeObservation(name: "a", chain: reorged)])
        #expect(once.hosts[0].reorgs == 1 && once.network.isEmpty && once.verdict == .stable)
        let finding = try #require(once.hosts[0].findings.first)
        #expect(finding.event == .chainReorg && finding.criticality == .minor && finding.row == .minorOperationalIssues)
        #expect(finding.summary == "1 reorg: block 99 changed between the samples (2 blocks replaced or given up) (persistent from 2)")
        #expect(report([NodeObservation(name: "a", chain: reorged)], thresholds: SanityThresholds(reorgLimit: 1)).instability == [.chainReorg])

        var back = Self.chain(100, 97)
        back.endBlocks = back.endBlocks?.filter { $0.number <= 97 }
        #expect(back.reorg?.height == 98 && back.reorg?.depth == 3)

        // Two prunes in the log: the archiver's and world state's lines count once each.
        let logs = try SanityFixtures.scan("validator-reorgs.jsonl")
        #expect(logs.count(of: "archiver-unwind") == 2 && logs.count(of: "world-state-pruned") == 2)
        let pruned = report([NodeObservation(name: "a", role: .validator, logs: logs), NodeObservation(name: "b", chain: Self.chain(100, 103))])
        #expect(pruned.hosts[0].reorgs == 2 && pruned.hosts[0].findings.map(\.criticality) == [.major])
        let network = try #require(pruned.network.first)
        #expect(network.event == .chainReorg && network.criticality == .critical && network.summary == "persistent chain reorgs: a 2 (limit 2)")
        #expect(pruned.verdict == .unstable && pruned.instability == [.chainReorg])
        #expect(pruned.hosts[0].findings.first?.example?.contains("Unwound 12 blocks from L2 block 5682") == true)
        #expect(report([NodeObservation(name: "a", role: .validator, logs: logs)], thresholds: SanityThresholds(reorgLimit: 3)).network.isEmpty)
    }

    @Test func bridgeAndContractErrorsAreCriticalBridgeIssues() throws {
        let logs = try SanityFixtures.scan("validator-bridge-errors.jsonl")
        #expect(logs.count(of: "rollup-contract-error") == 2 && logs.count(of: "bridge-inbox-error") == 1)
        let result = report([NodeObservation(name: "v", role: .validator, logs: logs)])
        #expect(result.findings.compactMap(\.signal) == ["bridge-inbox-error", "rollup-contract-error"])
        #expect(result.findings.allSatisfy { $0.event == .bridgeFailure && $0.criticality == .critical && $0.row == .bridgeContractIssues })
        #expect(result.verdict == .unstable && result.instability == [.bridgeFailure] && result.failed)
        #expect(result.text().contains("      matrix: Bridge/Contract issues (Alpha Team)\n"))

        var failing = Self.chain(100, 103)
        failing.problem = "node_getBlockNumber: JSON-RPC error -32603: Rollup__InvalidArchive(0x1, 0x2)"
        let answered = report([NodeObservation(name: "a", chain: failing)])
        #expect(answered.hosts[0].findings.map(\.event) == [.syncProblem, .bridgeFailure])
    }

    @Test func installFailuresAreBlockerDeploymentIssues() throws {
        let failedStep = HostReport(host: "s2", address: "10.0.0.2", status: .failed, message: "aztec-up exited 1")
        let passed = HostReport(host: "s1", address: "10.0.0.1", status: .succeeded)
        let staged = StagedRunReport(hostNames: ["s1", "s2", "s3", "s4"],
                                     stages: [StageReport(stage: "prepare", report: RunReport(playbook: "prepare", checkMode: false, hosts: [passed, passed.renamed("s2")])),
                                              StageReport(stage: "aztec", report: RunReport(playbook: "aztec", checkMode: false, hosts: [passed, failedStep]))],
                                     unreachable: [UnreachableHost(host: "s3", address: "10.0.0.3", reason: "connection timed out")],
                                     excluded: [ExcludedHost(host: "s4", address: "10.0.0.4", reason: "installed by the original toolkit", isFailure: true)])
        let failures = DeploymentFailure.failures(in: staged)
        #expect(failures == [DeploymentFailure(host: "s2", summary: "install: failed in aztec: aztec-up exited 1"),
                             DeploymentFailure(host: "s3", summary: "install: unreachable: connection timed out"),
                             DeploymentFailure(host: "s4", summary: "install: refused: installed by the original toolkit")])
        let result = report([NodeObservation(name: "s1", chain: Self.chain(100, 103))], deployment: failures)
        #expect(result.findings.map(\.criticality) == [.blocker, .blocker, .blocker] && result.failed && result.verdict == .stable)
        #expect(result.findings.allSatisfy { $0.event == .deploymentIssue && $0.row == .deploymentIssues })
        #expect(result.findings.first?.action == "Deployment issues (Delta Team): Reference the deployment README or escalate to the Delta team.")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("install-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("install.json")
        try JSONEncoder.report().encode(staged).write(to: file)
        #expect(try DeploymentFailure.load(contentsOf: file) == failures)
        try Data(#"{"hostNames": ["a"], "stages": [{"stage": "x"}]}"#.utf8).write(to: file)
        #expect(throws: InstallReportError(file: file.path, message: "not an install report (the JSON report of an install run): stages[0].report is missing")) {
            try DeploymentFailure.load(contentsOf: file)
        }
    }

    @Test func blocksAreReadInTheNodesShapes() throws {
        let block = JSONValue.object(["archive": .object(["root": .string("0xabc")]),
                                      "header": .object(["globalVariables": .object(["blockNumber": .integer(7), "timestamp": .string("0x10")])]),
                                      "body": .object(["txEffects": .array([.object([:]), .object([:])])])])
        #expect(try L2BlockSummary(block: block, method: "node_getBlocks") == L2BlockSummary(number: 7, hash: "0xabc", timestamp: 16, transactions: 2))
        #expect(throws: ChainReadError.unexpectedResult(method: "node_getBlocks", detail: "a block without body.txEffects")) {
            try L2BlockSummary(block: .object(["hash": .string("0x1"), "header": block["header"] ?? .null]), method: "node_getBlocks")
        }
    }

    @Test func everyMatrixRowHasItsGradeAndOwners() {
        #expect(RunbookMatrixRow.networkWideProblems.criticality == .critical && RunbookMatrixRow.networkWideProblems.owners == "Alpha/Delta Teams")
        #expect(RunbookMatrixRow.deploymentIssues.criticality == .blocker && RunbookMatrixRow.bridgeContractIssues.criticality == .critical)
        #expect(RunbookMatrixRow.nodeStabilityIssues.phrase == "Node stability issues (Delta Team): Collect logs and create an issue.")
        #expect(RunbookEvent.allCases.filter(\.isInstabilityCondition).count == 7, "the runbook's seven conditions")
    }
}

extension HostReport {
    func renamed(_ name: String) -> HostReport {
        var copy = self
        copy.host = name
        return copy
    }
}
