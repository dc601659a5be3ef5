@testable import ButlerKit
import FleetKit
import Foundation
import Testing
import FleetTestSupport

/// The streaming log scanner on the fixture logs: formats, levels, signals and times.
@Suite(.tags(.unit), .onOwnThread) struct LogScannerTests {
    @Test func aHealthyValidatorInJSONLines() throws {
        let summary = try SanityFixtures.scan("healthy-validator.jsonl")
        #expect(summary.lines == 55 && summary.jsonLines == 55 && summary.textLines == 0)
        #expect(summary.malformedJSONLines == 0 && summary.invalidUTF8Lines == 0 && summary.overlongLines == 0)
        #expect(summary.count(of: "node-started") == 1)
        #expect(summary.count(of: "block-processing") == 12)
        #expect(summary.count(of: "block-proposal") == 3)
        #expect(summary.count(of: "reqresp-eof") == 1)
        #expect(summary.count(of: "peer-discovery-failure") == 0)
        #expect(summary.warnings.count == 1 && summary.errors.count == 0 && summary.fatals.count == 0)
        #expect(summary.firstTimestamp == SanityFixtures.time(0))
        #expect(summary.lastTimestamp == SanityFixtures.time(397_420))
        let processing = try #require(summary.signals["block-processing"])
        #expect(processing.first == SanityFixtures.time(1150) && processing.last == SanityFixtures.time(397_150))
        #expect(processing.example?.contains(#""l2BlockSourceHash":"0x"#) == true)
        #expect(summary.signals.count == LogSignalTable.aztec.signals.count, "every signal has a tally, seen or not")
    }

    @Test func aHealthyProverInColouredPrettyTextWithDockerTimestamps() throws {
        let summary = try SanityFixtures.scan("healthy-prover.log")
        #expect(summary.lines == 26 && summary.textLines == 26 && summary.jsonLines == 0)
        #expect(summary.count(of: "block-proving") == 10)
        #expect(summary.count(of: "epoch-proving") == 2)
        #expect(summary.firstTimestamp == Date(timeIntervalSince1970: 1_767_614_400.000456789))
        #expect(summary.warnings.count == 0 && summary.errors.count == 0)
        #expect(NodeRole.inferred(from: summary, signals: .aztec) == .prover)
    }

    @Test func aHealthyBotInPlainPrettyTextHasNoDates() throws {
        let summary = try SanityFixtures.scan("healthy-bot.log")
        #expect(summary.count(of: "tx-gossiping") == 8)
        #expect(summary.firstTimestamp == nil && summary.lastTimestamp == nil, "a time of day alone is no date")
        #expect(NodeRole.inferred(from: summary, signals: .aztec) == .bot)
    }

    @Test func failureKindsAndCatalogueGrades() throws {
        let peers = try SanityFixtures.scan("validator-peer-discovery.jsonl")
        #expect(peers.count(of: "peer-discovery-failure") == 18 && peers.count(of: "block-processing") == 6)
        let proofs = try SanityFixtures.scan("prover-proof-failure.jsonl")
        #expect(proofs.count(of: "epoch-proof-failed") == 2 && proofs.errors.count == 2 && proofs.count(of: "block-proving") == 6)
        #expect(proofs.errors.first == SanityFixtures.time(74_500))
        let crashes = try SanityFixtures.scan("validator-crash-loop.log")
        #expect(crashes.count(of: "node-started") == 4 && crashes.count(of: "out-of-memory") == 4 && crashes.fatals.count == 4)
        #expect(crashes.lines == 32 && crashes.jsonLines == 12 && crashes.textLines == 20)
        let silent = try SanityFixtures.scan("validator-silent.jsonl")
        #expect(silent.count(of: "block-processing") == 0 && silent.lines == 22)
        let urgent = try SanityFixtures.scan("catalogue-urgent.jsonl")
        #expect(urgent.count(of: "keystore-is-array") == 1 && urgent.count(of: "no-peers") == 3)
        #expect(urgent.count(of: "proposal-skipped-few-peers") == 1 && urgent.count(of: "slashing-vote") == 1)
        let investigate = try SanityFixtures.scan("catalogue-investigate.jsonl")
        #expect(investigate.count(of: "attestation-timeout") == 2 && investigate.count(of: "mempool-drops") == 1 && investigate.errors.count == 2)
        let ignore = try SanityFixtures.scan("catalogue-ignore.jsonl")
        #expect(ignore.count(of: "reqresp-eof") == 4 && ignore.count(of: "trace-unavailable") == 1 && ignore.warnings.count == 5)
    }

    @Test func everyChunkingGivesTheSameSummary() throws {
        for name in SanityFixtures.all {
            let bytes = try SanityFixtures.data(name)
            let whole = SanityFixtures.scan(bytes: bytes)
            for chunks in [[1], [7], [64, 3, 500], [4096]] {
                #expect(SanityFixtures.scan(bytes: bytes, chunks: chunks) == whole, "\(name) in chunks \(chunks)")
            }
        }
    }

    @Test func aLineCountsOncePerSignalAndTheLastLineNeedsNoNewline() {
        let summary = SanityFixtures.scan(bytes: Data("Failed FINDNODE request, Failed FINDNODE request again\nFailed FINDNODE request".utf8))
        #expect(summary.count(of: "peer-discovery-failure") == 2 && summary.lines == 2)
    }

    @Test func levelsInEveryFormTheNodeWrites() {
        let lines = [
            #"{"level":50,"time":1767614400000,"module":"a","msg":"x"}"#,
            #"{"level":"error","time":"2026-01-05T12:00:01Z","module":"a","msg":"x"}"#,
            #"{"time":1767614402000,"module":"a","msg":"x","level":60}"#,
            "[12:00:03.000] ERROR: archiver something failed",
            "2026-01-05T12:00:04.5+01:00 [12:00:04.000] \u{1B}[31mERROR\u{1B}[39m: \u{1B}[1marchiver\u{1B}[22m failed",
            "[12:00:05.000] WARN: p2p slow peer",
            "ERROR: without time (pino-pretty with the time ignored)",
            "Error: a stack line is no level",
        ]
        let summary = SanityFixtures.scan(bytes: Data(lines.joined(separator: "\n").utf8))
        #expect(summary.errors.count == 5 && summary.fatals.count == 1 && summary.warnings.count == 1)
        #expect(summary.errors.first == SanityFixtures.time(0))
        #expect(summary.lastTimestamp == SanityFixtures.time(2000), "the +01:00 line is 11:00:04.5 UTC")
        #expect(summary.firstTimestamp == Date(timeIntervalSince1970: 1_767_614_400 - 3600 + 4.5))
    }
}
