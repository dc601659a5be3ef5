import Foundation
import Testing
import FleetTestSupport
@testable import FleetKit

@Suite(.tags(.unit, .slow), .onOwnThread) struct FixedStringMatcherTests {
    /// Every occurrence as (end offset, pattern index), found the slow way.
    static func naive(_ patterns: [[UInt8]], _ text: [UInt8]) -> [[Int]] {
        var found: [[Int]] = []
        for end in 0..<text.count {
            for (index, pattern) in patterns.enumerated() where pattern.count <= end + 1 {
                if Array(text[(end + 1 - pattern.count)...end]) == pattern { found.append([end, index]) }
            }
        }
        return found
    }

    static func matches(_ matcher: FixedStringMatcher, _ text: [UInt8]) -> [Int] {
        var found: [Int] = []
        text.withUnsafeBytes { matcher.forEachMatch(in: $0) { found.append($0) } }
        return found
    }

    @Test func findsEveryOccurrenceOfEveryPattern() {
        let matcher = FixedStringMatcher(strings: ["Can propose block", "l2BlockSourceHash", "propose"])
        let text = Array(#"{"msg":"Can propose block 5","l2BlockSourceHash":"0x1"} propose"#.utf8)
        #expect(Self.matches(matcher, text).sorted() == [0, 1, 2, 2])
        #expect(Self.matches(matcher, Array("nothing to see".utf8)).isEmpty)
        #expect(Self.matches(matcher, Array("Can".utf8)).isEmpty, "text shorter than every pattern")
    }

    @Test func randomPatternsAndTextsAgreeWithANaiveSearch() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            // A small alphabet makes overlaps, shared prefixes and repeats common.
            let alphabet: [UInt8] = round % 3 == 0 ? [0x61, 0x62] : [0x61, 0x62, 0x63, 0x20, 0xC3, 0xA9]
            let patterns = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                (0..<Int.random(in: 1...6, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0x61 }
            }
            let text = (0..<Int.random(in: 0...200, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0x61 }
            let matcher = FixedStringMatcher(patterns)
            let expected = Self.naive(patterns, text).map { $0[1] }
            #expect(Self.matches(matcher, text).sorted() == expected.sorted(), "patterns \(patterns) text \(text)")
        }
    }

    @Test func emptyPatternsAndNoPatternsMatchNothing() {
        #expect(Self.matches(FixedStringMatcher(strings: ["", "any"]), Array("anything".utf8)) == [1])
        #expect(Self.matches(FixedStringMatcher(strings: [""]), Array("anything".utf8)).isEmpty)
        #expect(Self.matches(FixedStringMatcher([]), Array("anything".utf8)).isEmpty)
    }
}
