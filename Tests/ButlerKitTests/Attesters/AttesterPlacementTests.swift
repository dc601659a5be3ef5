@testable import ButlerKit
import FleetTestSupport
import Foundation
import Testing

/// The placement rule of `attesters` on scripted chain data.
@Suite(.tags(.unit)) struct AttesterPlacementTests {
    static func parameters(flushSize: UInt64) -> RollupQueueParameters {
        RollupQueueParameters(entryQueueLength: 4, entryQueueFlushSize: flushSize, availableValidatorFlushes: 1, nextFlushableEpoch: 12,
                              isBootstrapped: flushSize > 0, epochDurationInSlots: 32, slotDurationInSeconds: 36, currentEpoch: 11,
                              activeAttesterCount: 48)
    }

    static func keys(_ attesters: [Int], withoutCoinbase: Set<Int> = []) throws -> MergedKeys {
        let validators = attesters.map { ButlerFixtures.validator(attester: $0, coinbase: withoutCoinbase.contains($0) ? nil : 0xC0 + $0) }
        let file = try KeysFile.decode(Data(ButlerFixtures.keysFile(validators).utf8), fileName: "testnet-keys-a-v1.json")
        let name = try #require(KeysFileName(parsing: "testnet-keys-a-v1.json", network: "testnet"))
        return MergedKeys([LoadedKeysFile(name: name, url: URL(fileURLWithPath: "/d/testnet-keys-a-v1.json"), contents: file)])
    }

    static func address(_ number: Int) -> EthereumAddress { EthereumAddress(hex: ButlerFixtures.address(number)) ?? .zero }

    @Test func everyPlaceFromScriptedData() throws {
        let keys = try Self.keys([1, 2, 3, 4, 5, 6], withoutCoinbase: [3])
        let statuses: [EthereumAddress: AttesterView.Status] = [Self.address(2): .validating, Self.address(4): .exiting, Self.address(5): .zombie]
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let report = AttesterPlacementReport(
            network: "testnet", providerId: 2, keys: keys, statuses: statuses,
            providerQueue: [Self.address(0x99), Self.address(1)],
            entryQueue: [Self.address(0x98), Self.address(0x97), Self.address(3), Self.address(0x96)],
            parameters: Self.parameters(flushSize: 4), now: now)
        let byAddress = Dictionary(uniqueKeysWithValues: report.attesters.map { ($0.address.lowercased(), $0) })
        func row(_ number: Int) -> AttesterPlacement? { byAddress[ButlerFixtures.address(number)] }
        #expect(row(1)?.place == .providerQueue && row(1)?.providerQueuePosition == 1 && row(1)?.status == "NONE")
        #expect(row(2)?.place == .validating && row(2)?.status == "VALIDATING")
        // 1152 s per epoch, 4 per flush: 288 s per attester; position 2 arrives 576 s from now.
        #expect(row(3)?.place == .entryQueue && row(3)?.entryQueuePosition == 2 && row(3)?.arrivalTimestamp == 1_800_000_576)
        #expect(row(3)?.coinbase == nil && row(1)?.coinbase == ButlerFixtures.address(0xC1))
        #expect(row(4)?.place == .leaving && row(4)?.status == "EXITING" && row(5)?.place == .leaving)
        #expect(row(6)?.place == .notOnChain && row(6)?.serverId == "a" && row(6)?.fileName == "testnet-keys-a-v1.json")
        #expect(report.counts == ["PROVIDER_QUEUE": 1, "ENTRY_QUEUE": 1, "VALIDATING": 1, "LEAVING": 2, "NOT_ON_CHAIN": 1])
        #expect(report.missingCoinbaseCount == 1 && report.providerQueueLength == 2 && report.entryQueueLength == 4)
        #expect(report.attesters.map(\.address) == (1...6).map { Self.address($0).checksummed }, "keys-file order")
        let text = report.textLines.joined(separator: "\n")
        #expect(text.contains("entry #2") && text.contains("provider #1") && text.contains("MISSING"))
        #expect(text.contains("total: 6 attesters: 1 PROVIDER_QUEUE, 1 ENTRY_QUEUE, 1 VALIDATING, 2 LEAVING, 1 NOT_ON_CHAIN; 1 without coinbase"))
    }

    @Test func noArrivalWhileBootstrappingAndNoProviderQueueWithoutProvider() throws {
        let keys = try Self.keys([1, 2])
        let report = AttesterPlacementReport(
            network: "testnet", providerId: nil, keys: keys, statuses: [:], providerQueue: nil,
            entryQueue: [Self.address(2)], parameters: Self.parameters(flushSize: 0), now: Date())
        #expect(report.attesters[1].place == .entryQueue && report.attesters[1].entryQueuePosition == 0)
        #expect(report.attesters[1].arrivalTimestamp == nil && report.timePerAttester == nil)
        #expect(report.providerQueueLength == nil && report.attesters[0].place == .notOnChain)
        let text = report.textLines.joined(separator: "\n")
        #expect(text.contains("bootstrapping") && text.contains("the provider queue was not read"))
        // The JSON keeps absent values out or null, never invents them.
        let json = try JSONDecoder().decode(AttesterPlacementReport.self, from: try JSONEncoder().encode(report))
        #expect(json == report)
    }
}
