import FleetTestSupport
import Foundation
import Testing
import FleetKit
@testable import ButlerKit

/// The chain layer against a real EVM (py-evm behind a JSON-RPC server on 127.0.0.1),
/// seeded by Tests/ButlerKitTests/Fixtures/evm/evm_server.py. Fails, never skips, when
/// scripts/install-evm.sh has not been run.
@Suite(.tags(.evm), .requires(.evm)) struct EVMChainTests {
    static let ether = UInt256(decimal: "1000000000000000000") ?? .zero

    func clients(_ path: String = "/", options: JSONRPCClientOptions = try! JSONRPCClientOptions(timeout: .seconds(60)))
        async throws -> (EVMDeployment, EthereumClient, CountingHTTPTransport)
    {
        let deployment = try await SharedEVM.shared.deployment()
        let transport = CountingHTTPTransport()
        return (deployment, EthereumClient(url: deployment.url(path), options: options, transport: transport), transport)
    }

    func multiplied(_ value: UInt256, _ factor: UInt64) -> UInt256 {
        value.multipliedAndAdded(multiplier: factor, addend: 0) ?? .zero
    }

    @Test func chainBasics() async throws {
        let (deployment, client, _) = try await clients()
        #expect(try await client.chainID() == 131_277_322_940_537)
        let head = try await client.blockNumber()
        #expect(head >= deployment.blockNumber)
        let genesis = try #require(try await client.block(.number(0)))
        let latest = try #require(try await client.block(.latest))
        #expect(latest.number == head)
        #expect(latest.timestamp >= genesis.timestamp)
        #expect(try await client.block(.number(head + 1000)) == nil)
        let timestamps = try await client.blockTimestamps([1, 2, 2, head])
        #expect(timestamps.count == 3)
        #expect(timestamps[head] == latest.timestamp)
        // The deployer account is pre-funded; an unknown account has nothing.
        let funded = try #require(EthereumAddress(hex: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"))
        let balances = try await client.balances(of: [funded, testAddress(0x42, 1)])
        #expect(balances[0] > UInt256(1_000_000))
        #expect(balances[1] == .zero)
        #expect(try await client.balance(of: funded) == balances[0])
    }

    @Test func attesterViewsInEveryStatus() async throws {
        let (deployment, client, transport) = try await clients()
        let rollup = RollupReader(client: client, rollup: deployment.rollup, strategy: .multicall3(address: deployment.multicall3))
        let attesters = (1...4).map { testAddress(0xA7, $0) } + [testAddress(0xA7, 99)]
        let views = try await rollup.attesterViews(of: attesters)
        #expect(transport.answeredRequestCount == 1)
        #expect(views.map(\.status) == [.none, .validating, .zombie, .exiting, .none])
        for (index, view) in views.prefix(4).enumerated() {
            let status = UInt64(index)
            #expect(view.attester == attesters[index])
            #expect(view.effectiveBalance == multiplied(Self.ether, (status + 1) * 1000))
            #expect(view.exit.withdrawalID == UInt256(status + 10))
            #expect(view.exit.amount == multiplied(Self.ether, (status + 1) * 7))
            #expect(view.exit.exitableAt == UInt256(1_700_000_000 + status))
            #expect(view.exit.recipientOrWithdrawer == testAddress(0xEE, index + 1))
            #expect(view.exit.isRecipient == (index % 2 == 1))
            #expect(view.exit.exists == (index == 3))
            #expect(view.config.publicKey.x.description == UInt256(decimal: "57896044618658097711785492504343953926634992332820282019728792003956564819968")
                .flatMap { $0.multipliedAndAdded(multiplier: 1, addend: status) }?.description)
            #expect(view.config.withdrawer == testAddress(0xD0, index + 1))
        }
        #expect(views[4].effectiveBalance == .zero)
        #expect(views[4].config.withdrawer == .zero)
        // The same views read one call at a time and through a plain JSON-RPC batch.
        let single = try await RollupReader(client: client, rollup: deployment.rollup, strategy: .oneCallEach).attesterViews(of: attesters)
        let batched = try await RollupReader(client: client, rollup: deployment.rollup, strategy: .jsonRPCBatch).attesterViews(of: attesters)
        #expect(single == views)
        #expect(batched == views)
        #expect(try await rollup.attesterView(of: attesters[2]).status == .zombie)
    }

    @Test func rollupParameters() async throws {
        let (deployment, client, transport) = try await clients()
        let rollup = RollupReader(client: client, rollup: deployment.rollup, strategy: .multicall3(address: deployment.multicall3))
        let parameters = try await rollup.queueParameters()
        #expect(transport.answeredRequestCount == 1)
        #expect(parameters == RollupQueueParameters(
            entryQueueLength: 295, entryQueueFlushSize: 4, availableValidatorFlushes: 2, nextFlushableEpoch: 12,
            isBootstrapped: true, epochDurationInSlots: 32, slotDurationInSeconds: 36, currentEpoch: 11, activeAttesterCount: 3))
        #expect(parameters.epochDurationInSeconds == 1152)
        #expect(try await rollup.entryQueueLength() == 295)
        #expect(try await rollup.entryQueueFlushSize() == 4)
        #expect(try await rollup.availableValidatorFlushes() == 2)
        #expect(try await rollup.nextFlushableEpoch() == 12)
        #expect(try await rollup.isBootstrapped())
        #expect(try await rollup.epochDurationInSlots() == 32)
        #expect(try await rollup.slotDurationInSeconds() == 36)
        #expect(try await rollup.currentEpoch() == 11)
        #expect(try await rollup.activeAttesterCount() == 3)
    }

    @Test func entryQueueOfHundredsInAFewRequests() async throws {
        let (deployment, client, transport) = try await clients()
        let rollup = RollupReader(client: client, rollup: deployment.rollup, strategy: .multicall3(address: deployment.multicall3, callsPerAggregate: 100))
        let queue = try await rollup.entryQueue()
        // Block number, length, then 3 aggregates of ≤100 calls in one JSON-RPC batch.
        #expect(transport.answeredRequestCount == 3)
        #expect(queue.count == 295)
        for (position, entry) in queue.enumerated() {
            let slot = position + 5  // the first five were flushed
            #expect(entry.attester == testAddress(0xEE, 0x1000 + slot))
            #expect(entry.withdrawer == testAddress(0xDD, slot))
            #expect(entry.publicKeyInG1[1] == UInt256(UInt64(slot)))
            #expect(entry.publicKeyInG2 == (1...4).map { UInt256(UInt64(slot * 4 + $0)) })
            #expect(entry.proofOfPossession == [UInt256(UInt64(slot)), UInt256(UInt64(slot * 2))])
            #expect(entry.moveWithLatestRollup == (slot % 2 == 0))
        }
        let firstKey = try #require(UInt256(bigEndian: testAddress(0xEE, 0x1005).bytes))
        #expect(queue[0].publicKeyInG1[0] == firstKey.multipliedAndAdded(multiplier: 1, addend: 1))
        #expect(try await rollup.entryQueue(limit: 3).map(\.attester) == queue.prefix(3).map(\.attester))
    }

    @Test func providerLookupIsBoundedAndCaseInsensitive() async throws {
        let (deployment, client, _) = try await clients()
        let registry = StakingRegistryReader(client: client, registry: deployment.stakingRegistry, strategy: .multicall3(address: deployment.multicall3))
        #expect(try await registry.nextProviderIdentifier() == 4)
        let admin = testAddress(0xAD, 2)
        let upper = try #require(EthereumAddress(hex: admin.lowercaseHex.uppercased().replacingOccurrences(of: "0X", with: "0x")))
        #expect(try await registry.providerIdentifier(forAdmin: upper) == 2)
        #expect(try await registry.providerIdentifier(forAdmin: testAddress(0xAD, 9)) == nil)
        let configurations = try await registry.providerConfigurations([1, 2, 3])
        #expect(configurations.map(\.takeRate) == [100, 200, 300])
        #expect(configurations.map(\.rewardsRecipient) == (1...3).map { testAddress(0x5E, $0) })
        #expect(configurations.map(\.admin) == (1...3).map { testAddress(0xAD, $0) })
    }

    @Test func providerQueue() async throws {
        let (deployment, client, transport) = try await clients()
        let registry = StakingRegistryReader(client: client, registry: deployment.stakingRegistry, strategy: .multicall3(address: deployment.multicall3))
        #expect(try await registry.providerQueueBounds(2) == ProviderQueueBounds(first: 11, last: 251))
        #expect(try await registry.providerQueueBounds(3) == ProviderQueueBounds(first: 1, last: 1))
        #expect(try await registry.providerQueueLength(2) == 240)
        transport.reset()
        let queue = try await registry.providerQueue(2)
        #expect(transport.answeredRequestCount == 3)  // block number, bounds, one batch of entries
        #expect(queue.map(\.attester) == (11...250).map { testAddress(0xBB, $0) })
        #expect(queue.first?.publicKeyInG2 == [2, 11, 12, 13])
        #expect(queue.last?.proofOfPossession == [750, 1250])
        #expect(try await registry.providerQueue(3).isEmpty)
    }

    @Test func stakedWithProviderLogsAcrossManyBlocks() async throws {
        let (deployment, client, transport) = try await clients()
        let registry = StakingRegistryReader(client: client, registry: deployment.stakingRegistry)
        let events = try await registry.stakedWithProviderEvents(provider: 2, fromBlock: 0, chunkSize: 10_000)
        #expect(events.count == 80)
        #expect(events.map(\.attester) == (0..<80).map { testAddress(0xCC, $0) })
        #expect(events.allSatisfy { $0.coinbaseSplitContract == testAddress(0x5C, Int($0.attester.bytes[19])) })
        #expect(events.allSatisfy { $0.providerIdentifier == 2 && $0.rollup == deployment.rollup })
        #expect(events.allSatisfy { $0.stakerImplementation == testAddress(0x11, 1) })
        #expect(Set(events.map(\.blockNumber)).count == 80)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.blockNumber < $1.blockNumber })
        // The node refuses ranges over 100 blocks and results over 25 logs; the client halved
        // 10 000 down until it was accepted, so there were refused requests before the answers.
        let head = try await client.blockNumber()
        #expect(transport.answeredRequestCount > Int(head / 100) + 1)
        // Block timestamps for the cache come in one batch.
        let timestamps = try await client.blockTimestamps(events.map(\.blockNumber))
        #expect(timestamps.count == 80)
        let provider1 = try await registry.stakedWithProviderEvents(provider: 1, fromBlock: 0, toBlock: head, chunkSize: 64)
        #expect(provider1.map(\.attester) == [60, 64, 68, 72, 76].map { testAddress(0xC1, $0) })
    }

    @Test func revertsAreTypedResults() async throws {
        let (deployment, client, _) = try await clients()
        let outOfBounds = try StakingRegistryReader.Functions.getValueAtIndexInQueue.call(on: deployment.stakingRegistry, [.uint(2), .uint(5)])
        let direct = try await client.call(outOfBounds)
        #expect(direct == .reverted(Revert(data: FunctionSelector(signature: "QueueIndexOutOfBounds()").bytes, nodeMessage: "execution reverted")))
        let queueEnd = try RollupReader.Functions.getEntryQueueAt.call(on: deployment.rollup, [.uint(295)])
        guard case .reverted(let revert) = try await client.call(queueEnd) else {
            Issue.record("getEntryQueueAt(295) should revert")
            return
        }
        #expect(revert.reason == "entry queue index out of bounds")
        // Inside Multicall3 with allowFailure, reverts sit next to successes.
        let fine = try RollupReader.Functions.getEntryQueueLength.call(on: deployment.rollup)
        let outcomes = try await client.call([fine, outOfBounds, queueEnd], strategy: .multicall3(address: deployment.multicall3))
        #expect(outcomes[0] == .success(UInt256(295).bigEndianBytes))
        #expect(outcomes[1] == .reverted(Revert(data: FunctionSelector(signature: "QueueIndexOutOfBounds()").bytes)))
        #expect(outcomes[2].returnData == nil)
        let batched = try await client.call([fine, outOfBounds], strategy: .jsonRPCBatch)
        #expect(batched[0] == outcomes[0])
        #expect(batched[1].returnData == nil)
        // A reader that needs the value reports the revert with the function and the reason.
        let rollup = RollupReader(client: client, rollup: deployment.rollup, strategy: .multicall3(address: deployment.multicall3))
        let error = try await #require(throws: ChainReadError.self) {
            try await rollup.client.call([queueEnd], strategy: .oneCallEach).map {
                try RollupReader.Functions.getEntryQueueAt.decodeOutcome($0, from: deployment.rollup)
            }
        }
        #expect(error.description.contains("getEntryQueueAt(uint256)"))
        #expect(error.description.contains("entry queue index out of bounds"))
    }

    @Test func aMissingMulticallContractIsNamed() async throws {
        let (deployment, client, _) = try await clients()
        let rollup = RollupReader(client: client, rollup: deployment.rollup, strategy: .multicall3())  // mainnet address: nothing there
        let error = try await #require(throws: ChainReadError.self) { try await rollup.attesterViews(of: [testAddress(0xA7, 1)]) }
        #expect(error.description.contains("Multicall3"))
    }

    @Test func malformedAnswer() async throws {
        let (_, client, _) = try await clients("/malformed")
        let error = try await #require(throws: JSONRPCError.self) { try await client.blockNumber() }
        guard case .malformedResponse = error.kind else {
            Issue.record("expected malformedResponse, got \(error)")
            return
        }
        #expect(error.method == "eth_blockNumber")
        #expect(error.description.contains("127.0.0.1"))
    }

    @Test func stalledServerTimesOut() async throws {
        let options = try JSONRPCClientOptions(timeout: .milliseconds(500), retry: .none)
        let (_, client, _) = try await clients("/stall/300", options: options)
        let started = ContinuousClock.now
        let error = try await #require(throws: JSONRPCError.self) { try await client.chainID() }
        #expect(error.kind == .timedOut(seconds: 0.5))
        #expect(ContinuousClock.now - started < .seconds(60), "the server stalls for 300 s")
    }

    @Test func tooManyRequestsThenSuccess() async throws {
        let key = UUID().uuidString
        // The request limit only guards against a hang: a busy machine's EVM may answer slowly.
        let options = try JSONRPCClientOptions(timeout: .seconds(300), retry: JSONRPCRetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10)))
        let (_, client, transport) = try await clients("/fail/429/1/\(key)", options: options)
        #expect(try await client.chainID() == 131_277_322_940_537)
        #expect(transport.answeredRequestCount == 2)
        let badGateway = "/fail/502/5/\(UUID().uuidString)"
        let (_, failing, _) = try await clients(badGateway, options: options)
        let error = try await #require(throws: JSONRPCError.self) { try await failing.chainID() }
        #expect(error.kind == .httpStatus(502, body: "<html>Bad Gateway</html>"))
        #expect(error.attempts == 3)
    }
}

@Suite(.tags(.evm)) struct EVMServerLifecycleTests {
    @Test func aMissingEnvironmentFailsWithTheInstallCommand() throws {
        let missing = EVMPaths.repositoryRoot.appendingPathComponent(".venv-missing/bin/python")
        let error = try #require(throws: EVMSetupError.self) { try EVMPaths.requirePython(missing) }
        #expect(error.description.contains("scripts/install-evm.sh"))
    }

    @Test(.requires(.evm)) func aDedicatedServerIsGoneWhenItsTestEnds() async throws {
        struct Planned: Error {}
        var pid: Int32 = 0
        await #expect(throws: Planned.self) {
            try await withEVMServer(["--seed", "none"]) { server in
                pid = server.processIdentifier
                let client = EthereumClient(url: server.deployment.url(), options: try JSONRPCClientOptions(timeout: .seconds(30)))
                #expect(try await client.blockNumber() == 3)
                throw Planned()
            }
        }
        #expect(pid > 0)
        #expect(!Self.isRunning(pid), "the server still runs")
    }

    /// Whether `pid` is a live process: one that exited but is not reaped yet (a zombie)
    /// runs no more.
    static func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return false }
        return stat[afterName.upperBound...].first != "Z"
    }
}
