import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct AttesterStateBookTests {
    static let one = testAddress(0xA1, 1)
    static let two = testAddress(0xA1, 2)

    static func seen(provider: Bool = false, entry: Bool = false, _ status: AttesterView.Status = .none) -> AttesterObservation {
        AttesterObservation(isInProviderQueue: provider, isInEntryQueue: entry, onChainStatus: status)
    }

    @Test func eachTransitionIsReportedOnce() {
        var book = AttesterStateBook()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let first = book.advance([Self.one: Self.seen(provider: true), Self.two: Self.seen()], at: start)
        #expect(first.map(\.description) == [
            "attester \(Self.one.checksummed) (first seen) → IN_STAKING_PROVIDER_QUEUE: it is in the staking provider's queue",
            "attester \(Self.two.checksummed) (first seen) → NEW: first seen; not on chain yet",
        ])
        // The same observation again: nothing new, and the time of the last change stays.
        #expect(book.advance([Self.one: Self.seen(provider: true), Self.two: Self.seen()], at: start.addingTimeInterval(60)).isEmpty)
        #expect(book.records[Self.one]?.lastUpdated == start)
        let later = start.addingTimeInterval(120)
        let second = book.advance([Self.one: Self.seen(entry: true), Self.two: Self.seen(.validating)], at: later)
        #expect(second == [
            AttesterStateChange(attester: Self.one, from: .inStakingProviderQueue, to: .rollupEntryQueue, reason: "it is in the rollup's entry queue"),
            AttesterStateChange(attester: Self.two, from: .new, to: .active, reason: "the rollup reports it VALIDATING"),
        ])
        #expect(book.records[Self.two] == AttesterStateRecord(state: .active, lastUpdated: later, reason: "the rollup reports it VALIDATING"))
    }

    @Test func theFileRoundTripsAndReadsTheOriginalsShape() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = AttesterStateBook.url(dataDirectory: folder, network: "testnet")
        #expect(url.lastPathComponent == "testnet-attester-state.json")
        #expect(try AttesterStateBook.read(from: url) == AttesterStateBook(), "a missing file is an empty book")
        var book = AttesterStateBook()
        _ = book.advance([Self.one: Self.seen(.validating), Self.two: Self.seen(entry: true)], at: Date(timeIntervalSince1970: 1_700_000_000.5))
        try book.write(to: url)
        #expect(try AttesterStateBook.read(from: url) == book)
        // The original writes checksummed keys, onChainView objects and no reason.
        let original = """
            {"\(Self.one.checksummed)": {"state": "ACTIVE", "lastUpdated": "2025-03-01T10:00:00.123Z",
               "onChainView": {"status": 1, "effectiveBalance": "200000000000000000000000"}},
             "\(Self.two.checksummed)": {"state": "NO_LONGER_ACTIVE", "lastUpdated": "2025-03-02T10:00:00Z"}}
            """
        try original.write(to: url, atomically: true, encoding: .utf8)
        let read = try AttesterStateBook.read(from: url)
        #expect(read.state(of: Self.one) == .active)
        #expect(read.state(of: Self.two) == .noLongerActive)
        #expect(read.records[Self.one]?.lastUpdated.timeIntervalSince1970 == 1_740_823_200.123)
        #expect(read.records[Self.one]?.reason == nil)
    }

    @Test func aDamagedFileNamesTheEntry() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("mainnet-attester-state.json")
        let cases: [(String, String)] = [
            ("[1, 2]", "is not a JSON object keyed by attester address"),
            (#"{"0x12": {"state": "ACTIVE", "lastUpdated": "2025-03-01T10:00:00Z"}}"#, "0x12: expected an attester address"),
            (#"{"\#(Self.one.lowercaseHex)": {"state": "SLEEPING", "lastUpdated": "2025-03-01T10:00:00Z"}}"#, ".state: expected one of NEW, IN_STAKING_PROVIDER_QUEUE"),
            (#"{"\#(Self.one.lowercaseHex)": {"state": "NEW", "lastUpdated": "yesterday"}}"#, ".lastUpdated: expected an ISO 8601 time"),
        ]
        for (text, expected) in cases {
            try text.write(to: url, atomically: true, encoding: .utf8)
            #expect(throws: AttesterStateFileError.self) { try AttesterStateBook.read(from: url) }
            do {
                _ = try AttesterStateBook.read(from: url)
            } catch {
                #expect(error.description.hasPrefix(url.path + ": "))
                #expect(error.description.contains(expected), "\(error)")
            }
        }
    }
}
