import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct BoundedLineSplitterTests {
    /// Feeds `input` in chunks of the given sizes (cycled) and returns the lines and their cut flags.
    static func split(_ input: [UInt8], chunks: [Int], maxLineBytes: Int) -> (lines: [[UInt8]], cut: [Bool], overlong: Int) {
        var splitter = BoundedLineSplitter(maxLineBytes: maxLineBytes)
        var lines: [[UInt8]] = []
        var cut: [Bool] = []
        var offset = 0
        var next = 0
        while offset < input.count {
            let size = min(max(1, chunks[next % chunks.count]), input.count - offset)
            next += 1
            input[offset..<(offset + size)].withUnsafeBytes { chunk in
                splitter.split(chunk) { lines.append(Array($0)); cut.append($1) }
            }
            offset += size
        }
        splitter.finish { lines.append(Array($0)); cut.append($1) }
        return (lines, cut, splitter.overlongLines)
    }

    @Test func anyChunkingGivesTheSameLines() {
        let text = "first\nsecond line\r\n\nlast without newline"
        let expected = ["first", "second line", "", "last without newline"].map { Array($0.utf8) }
        for chunks in [[1], [2], [3, 7], [1000], [5, 1, 9]] {
            let result = Self.split(Array(text.utf8), chunks: chunks, maxLineBytes: 100)
            #expect(result.lines == expected, "chunks \(chunks)")
            #expect(result.cut.allSatisfy { !$0 } && result.overlong == 0)
        }
    }

    @Test func overlongLinesAreCutOnceAndCounted() {
        let long = String(repeating: "x", count: 50)
        let text = "ok\n\(long)\nafter\n\(long)"
        for chunks in [[1], [4], [7, 13], [1000]] {
            let result = Self.split(Array(text.utf8), chunks: chunks, maxLineBytes: 10)
            #expect(result.lines == ["ok", String(repeating: "x", count: 10), "after", String(repeating: "x", count: 10)].map { Array($0.utf8) },
                    "chunks \(chunks)")
            #expect(result.cut == [false, true, false, true])
            #expect(result.overlong == 2)
        }
    }

    @Test func randomInputAgreesWithSplittingTheWhole() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let input: [UInt8] = (0..<Int.random(in: 0...400, using: &generator)).map { _ in [UInt8]([0x0A, 0x61, 0x62, 0x0D, 0xFF]).randomElement(using: &generator) ?? 0x61 }
            let limit = Int.random(in: 1...20, using: &generator)
            var expected: [[UInt8]] = []
            var cut: [Bool] = []
            var pieces = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            if input.last == 0x0A || input.isEmpty { pieces.removeLast() }
            for var piece in pieces {
                if piece.last == 0x0D { piece.removeLast() }
                expected.append(Array(piece.prefix(limit)))
                cut.append(piece.count > limit)
            }
            let chunks = (0..<3).map { _ in Int.random(in: 1...50, using: &generator) }
            let result = Self.split(input, chunks: chunks, maxLineBytes: limit)
            #expect(result.lines == expected, "input \(input) limit \(limit) chunks \(chunks)")
            #expect(result.cut == cut)
            #expect(result.overlong == cut.filter { $0 }.count)
        }
    }
}
