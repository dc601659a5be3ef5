import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct ValidatorDutyStatsTests {
    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func theSentinelsAnswerWithBigintsAsStrings() throws {
        let report = try ValidatorsDutyReport(answer: try Self.json("""
            {"stats": {
              "0x00000000000000000000000000000000000000a1": {"address": "0x00000000000000000000000000000000000000A1",
                 "lastProposal": {"timestamp": "1700000000", "slot": "120", "date": "2023-11-14T22:13:20.000Z"},
                 "lastAttestation": {"timestamp": "1700000360", "slot": "130", "date": "x"},
                 "totalSlots": 40, "missedProposals": {"currentStreak": 0, "rate": 0.1, "count": 1},
                 "missedAttestations": {"currentStreak": 2, "rate": 0.05, "count": 2, "total": 40},
                 "history": [{"slot": "130", "status": "attestation-sent"}]},
              "0x00000000000000000000000000000000000000a2": {"address": "0x00000000000000000000000000000000000000a2",
                 "totalSlots": 0, "missedProposals": {"currentStreak": 0, "count": 0}, "missedAttestations": {"currentStreak": 0, "count": 0}, "history": []}
            }, "lastProcessedSlot": "131", "initialSlot": "1", "slotWindow": 100}
            """))
        #expect(report.lastProcessedSlot == 131)
        let first = try #require(report.validators[testAddress(0, 0xa1)])
        #expect(first == ValidatorDutyStats(address: first.address, totalSlots: 40, missedAttestations: 2, missedAttestationsStreak: 2,
                                            missedProposals: 1, missedProposalsStreak: 0, lastAttestationSlot: 130, lastProposalSlot: 120))
        let second = try #require(report.validators[testAddress(0, 0xa2)])
        #expect(second.lastAttestationSlot == nil && second.lastProposalSlot == nil && second.missedAttestations == 0)
    }

    @Test func aBrokenAnswerNamesTheField() throws {
        #expect(throws: ChainReadError.self) { try ValidatorsDutyReport(answer: try Self.json(#"{"nostats": {}}"#)) }
        do {
            _ = try ValidatorsDutyReport(answer: try Self.json(#"{"stats": {"0x00000000000000000000000000000000000000a1": {"totalSlots": "many"}}}"#))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("stats.0x00000000000000000000000000000000000000a1.totalSlots"), "\(error)")
        }
        do {
            _ = try ValidatorsDutyReport(answer: try Self.json(#"{"stats": {"nonsense": {"totalSlots": 1}}}"#))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("stats.nonsense.address is not an address"), "\(error)")
        }
    }
}
