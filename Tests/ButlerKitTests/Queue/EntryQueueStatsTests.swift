import ButlerKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct EntryQueueStatsTests {
    static func address(_ byte: UInt8) -> EthereumAddress {
        EthereumAddress(hex: "0x" + String(repeating: String(format: "%02x", byte), count: 20)) ?? .zero
    }

    static func parameters(flushSize: UInt64, length: UInt64) -> RollupQueueParameters {
        RollupQueueParameters(entryQueueLength: length, entryQueueFlushSize: flushSize, availableValidatorFlushes: 1, nextFlushableEpoch: 12,
                              isBootstrapped: flushSize > 0, epochDurationInSlots: 32, slotDurationInSeconds: 36, currentEpoch: 11,
                              activeAttesterCount: 48)
    }

    @Test func arrivalsFollowTheOriginalsRule() throws {
        let queue = (1...6).map { Self.address(UInt8($0)) }
        let mine: [EthereumAddress: Bool] = [Self.address(2): true, Self.address(4): false, Self.address(6): false]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let stats = EntryQueueStats(network: "testnet", providerId: 7, parameters: Self.parameters(flushSize: 5, length: 6),
                                    queue: queue, providerAttesters: mine, now: now)
        // 32 slots × 36 s = 1152 s per epoch, 5 per flush: 230.4 s per attester.
        #expect(stats.global.epochDuration == 1152 && stats.global.timePerAttester == 230.4)
        #expect(stats.global.lastAttesterTimestamp == Int64(1_800_000_000 + 1152))           // position 5: floor(5 × 230.4)
        #expect(stats.provider.queueCount == 3)
        #expect(stats.provider.nextArrivalTimestamp == Int64(1_800_000_000 + 230))            // position 1
        #expect(stats.provider.lastArrivalTimestamp == Int64(1_800_000_000 + 1152))
        #expect(stats.provider.nextMissingCoinbase?.timestamp == Int64(1_800_000_000 + 691))   // position 3: floor(3 × 230.4)
        #expect(stats.provider.nextMissingCoinbase?.address == Self.address(4).checksummed)
        let json = String(decoding: try JSONEncoder().encode(stats), as: UTF8.self)
        for key in ["\"totalQueueLength\"", "\"timePerAttester\"", "\"nextMissingCoinbase\"", "\"lastArrivalTimestamp\"", "\"providerId\""] {
            #expect(json.contains(key))
        }
    }

    @Test func bootstrappingHasNoArrivalTimes() {
        let queue = [Self.address(1), Self.address(2)]
        let stats = EntryQueueStats(network: "testnet", providerId: 1, parameters: Self.parameters(flushSize: 0, length: 2),
                                    queue: queue, providerAttesters: [Self.address(2): false], now: Date())
        #expect(stats.global.timePerAttester == nil && stats.global.lastAttesterTimestamp == nil)
        #expect(stats.provider.queueCount == 1 && stats.provider.nextArrivalTimestamp == nil)
        #expect(stats.provider.nextMissingCoinbase?.timestamp == nil && stats.provider.nextMissingCoinbase?.address == Self.address(2).checksummed)
        #expect(stats.summary.contains("the queue is bootstrapping (flush size 0)"))
    }

    @Test func anEmptyQueue() {
        let stats = EntryQueueStats(network: "mainnet", providerId: 3, parameters: Self.parameters(flushSize: 4, length: 0),
                                    queue: [], providerAttesters: [:], now: Date())
        #expect(stats.global.lastAttesterTimestamp == nil && stats.provider.queueCount == 0 && stats.provider.nextMissingCoinbase == nil)
    }
}
