@testable import ButlerKit
import FleetKit
import Foundation
import Testing
import FleetTestSupport

/// Broken input of every kind: counted, never fatal, and markers around it still found.
@Suite(.tags(.unit, .slow), .onOwnThread) struct LogScannerFuzzTests {
    static let marker = #"{"level":30,"time":1767614400000,"module":"prover-node","msg":"Submitted proof for epoch 7"}"#

    @Test func truncatedJSONLinesAreCountedAsMalformed() throws {
        let lines = try String(decoding: SanityFixtures.data("healthy-validator.jsonl"), as: UTF8.self).split(separator: "\n")
        var generator = SystemRandomNumberGenerator()
        var text = ""
        var cutLines = 0
        for line in lines {
            // A cut right after an inner object's `}` would read as whole (the scanner judges
            // by the level and the closing brace, without parsing): such cuts are not made.
            let cuts = (1..<(line.count - 1)).filter { line.prefix($0).last(where: { $0 != " " && $0 != "\t" }) != "}" }
            if Bool.random(using: &generator), let cut = cuts.randomElement(using: &generator) {
                text += line.prefix(cut) + "\n"
                cutLines += 1
            } else {
                text += line + "\n"
            }
        }
        let summary = SanityFixtures.scan(bytes: Data(text.utf8))
        #expect(summary.lines == lines.count)
        #expect(summary.malformedJSONLines == cutLines)
    }

    @Test func invalidUTF8IsCountedAndTheRestOfTheLineStillScanned() {
        var bytes = Data("ok line\n".utf8)
        bytes += Data([0xFF, 0xFE, 0x20]) + Data("Failed FINDNODE request\n".utf8)       // bad lead bytes
        bytes += Data("caf".utf8) + Data([0xC3]) + Data(" Can propose block\n".utf8)        // cut sequence
        bytes += Data([0xED, 0xA0, 0x80]) + Data(" surrogate\n".utf8)                       // UTF-16 surrogate
        bytes += Data("café déjà vu\n".utf8)                                                // valid, not ASCII
        let summary = SanityFixtures.scan(bytes: bytes)
        #expect(summary.lines == 5 && summary.invalidUTF8Lines == 3)
        #expect(summary.count(of: "peer-discovery-failure") == 1 && summary.count(of: "block-proposal") == 1)
    }

    @Test func hugeLinesAreCutCountedAndScannedOverTheirStart() {
        let limit = 1 << 20
        let head = "Failed FINDNODE request " + String(repeating: "x", count: 3 * limit) + " Can propose block"
        let bytes = Data((head + "\n" + Self.marker + "\n" + String(repeating: "y", count: limit + 1) + "\n").utf8)
        for chunks in [[65_536], [1_000_003], [7_000_000]] {
            let summary = SanityFixtures.scan(bytes: bytes, chunks: chunks, maxLineBytes: limit)
            #expect(summary.lines == 3 && summary.overlongLines == 2, "chunks \(chunks)")
            #expect(summary.count(of: "peer-discovery-failure") == 1, "found in the scanned start")
            #expect(summary.count(of: "block-proposal") == 0, "past the limit: not scanned")
            #expect(summary.count(of: "epoch-proving") == 1, "the line after a huge one is read whole")
            #expect(summary.bytes == bytes.count)
        }
    }

    @Test func interleavedFormatsKeepTheirLevelsAndMarkers() throws {
        let json = try String(decoding: SanityFixtures.data("prover-proof-failure.jsonl"), as: UTF8.self).split(separator: "\n")
        let pretty = try String(decoding: SanityFixtures.data("healthy-prover.log"), as: UTF8.self).split(separator: "\n")
        var mixed: [Substring] = []
        for index in 0..<max(json.count, pretty.count) {
            if index < json.count { mixed.append(json[index]) }
            if index < pretty.count { mixed.append(pretty[index]) }
        }
        let summary = SanityFixtures.scan(bytes: Data(mixed.joined(separator: "\n").utf8))
        #expect(summary.jsonLines == json.count && summary.textLines == pretty.count)
        #expect(summary.count(of: "block-proving") == 16 && summary.count(of: "epoch-proving") == 2 && summary.count(of: "epoch-proof-failed") == 2)
        #expect(summary.errors.count == 2 && summary.count(of: "node-started") == 2)
    }

    @Test func randomBytesNeverStopTheScan() {
        var generator = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array(Self.marker.utf8), Array("\n".utf8), Array("{\"level\":".utf8), [0xFF], [0xC3], [0x1B, 0x5B],
                                 Array("[12:00:00.000] ".utf8), Array("2026-01-05T12:00:00Z ".utf8), Array("\r\n".utf8), [0]]
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            var markers = 0
            for _ in 0..<Int.random(in: 0...60, using: &generator) {
                let piece = Int.random(in: 0..<pieces.count, using: &generator)
                bytes += pieces[piece]
                if piece == 0 { markers += 1 }
            }
            let summary = SanityFixtures.scan(bytes: Data(bytes), chunks: [Int.random(in: 1...40, using: &generator)], maxLineBytes: 64)
            #expect(summary.bytes == bytes.count)
            #expect(summary.count(of: "epoch-proving") <= markers)
            #expect(summary.lines >= bytes.filter { $0 == 0x0A }.count)
        }
    }

    @Test func aFileOrPipeIsReadToTheEnd() throws {
        let url = SanityFixtures.url("healthy-validator.jsonl")
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let summary = try LogScanner.scan(fileDescriptor: handle.fileDescriptor, name: url.path, chunkBytes: 100)
        #expect(summary == (try SanityFixtures.scan("healthy-validator.jsonl")))
        #expect(throws: LogReadError.self) { try LogScanner.scan(fileDescriptor: -1, name: "nothing") }
    }
}
