@testable import ButlerKit
import FleetKit
import Foundation
import Testing
import FleetTestSupport

/// The signal table is data: the built-in one, read from CSV, merged, and bad files named by line.
@Suite(.tags(.unit), .onOwnThread) struct LogSignalTableTests {
    @Test func theBuiltInTableIsValidAndCarriesTheRunbookAndTheCatalogue() throws {
        let table = LogSignalTable.aztec
        _ = try LogSignalTable(table.signals)
        for text in ["Generated IVC proof", "Failed FINDNODE request", "Can propose block", "l2BlockSourceHash",
                     "Processed 1 new L2 blocks", "Submitted proof for epoch"] {
            #expect(table.signals.contains { $0.text == text && ($0.kind == .marker || $0.kind == .failure) }, "runbook marker \(text)")
        }
        let catalogue = table.signals.filter { $0.kind == .catalogue }
        #expect(catalogue.count == 11)
        #expect(catalogue.allSatisfy { $0.grade != nil && !$0.action.isEmpty })
        #expect(catalogue.filter { $0.grade == .urgent }.allSatisfy { $0.whenSeen == .critical })
        #expect(catalogue.filter { $0.grade == .ignore }.allSatisfy { $0.whenSeen == nil })
    }

    @Test func theCSVFormReadsBackAsTheSameTable() throws {
        let csv = LogSignalTable.aztec.csv
        #expect(csv.hasPrefix(LogSignalTable.columns.joined(separator: ",") + "\n"))
        #expect(try LogSignalTable.parse(csv: csv, file: "signals.csv") == LogSignalTable.aztec)
    }

    @Test func aFileExtendsAndOverridesTheBuiltInTable() throws {
        let csv = """
            id,kind,text,roles,when_seen,action
            peer-discovery-failure,failure,Failed FINDNODE request,validator,Minor,FINDNODE failures are routine on this network
            reorg,failure,Chain reorg detected,validator prover,Critical,Persistent reorgs make the network unstable
            """
        let extra = try LogSignalTable.parse(csv: csv, file: "mine.csv")
        let merged = LogSignalTable.aztec.merging(extra)
        #expect(merged.signals.count == LogSignalTable.aztec.signals.count + 1)
        #expect(merged.signal("peer-discovery-failure")?.whenSeen == .minor)
        #expect(merged.signals.firstIndex { $0.id == "peer-discovery-failure" } == LogSignalTable.aztec.signals.firstIndex { $0.id == "peer-discovery-failure" })
        #expect(merged.signal("reorg")?.roles == [.validator, .prover] && merged.signal("reorg")?.title == "reorg")
        var scanner = LogScanner(signals: merged)
        scanner.scan(Data("Chain reorg detected at block 5\n".utf8))
        #expect(scanner.finish().count(of: "reorg") == 1)
    }

    @Test func badFilesNameTheFileLineAndColumn() throws {
        func problem(_ csv: String) -> String {
            do {
                _ = try LogSignalTable.parse(csv: csv, file: "mine.csv")
                return "no error"
            } catch {
                return error.description
            }
        }
        #expect(problem("id,kind,text\nx,sometimes,abc\n") == "mine.csv:2:3: kind 'sometimes' is not one of marker, failure, catalogue, crash, start, reorg")
        #expect(problem("id,kind,text,roles\nx,marker,abc,miner\n") == "mine.csv:2:14: role 'miner' is not one of validator, prover, bot")
        #expect(problem("id,kind,text,when_seen\nx,marker,abc,Severe\n") == "mine.csv:2:14: when_seen 'Severe' is not one of Minor, Major, Critical, Blocker")
        #expect(problem("id,kind,text\nx,marker,ab\n") == "mine.csv:2:10: text 'ab' of x is shorter than 3 bytes and would match noise")
        #expect(problem("id,kind,text\nx,marker,abc\nx,crash,def\n") == "mine.csv:3: id 'x' was already given on line 2")
        #expect(problem("id,kind\nx,marker\n") == "mine.csv:1: the header has no 'text' column (columns: id, kind, roles, title, event, grade, when_seen, when_missing, text, action)")
        #expect(problem("id,kind,text,colour\nx,marker,abc,red\n").hasPrefix("mine.csv:1: unknown column 'colour'"))
        #expect(problem("id,kind,text\nx,marker\n") == "mine.csv:2: 2 fields where the header has 3")
        #expect(problem("") == "mine.csv: the file is empty; the first row must name the columns")
        #expect(throws: LogSignalTableError.self) { try LogSignalTable.load(contentsOf: URL(fileURLWithPath: "/nonexistent/signals.csv")) }
        #expect(throws: LogSignalTableError.self) { try LogSignalTable([LogSignal(id: "a", kind: .marker, text: "abc", title: "a"),
                                                                        LogSignal(id: "a", kind: .crash, text: "def", title: "a")]) }
    }

    @Test func isoTimesAgreeWithFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let date = Date(timeIntervalSince1970: Double(Int.random(in: -2_000_000_000...4_000_000_000, using: &generator)) + 0.25)
            let text = formatter.string(from: date)
            let parsed = Array(text.utf8).withUnsafeBytes { LogTime.iso8601($0, from: 0)?.date }
            #expect(parsed == date, "\(text)")
        }
    }
}
