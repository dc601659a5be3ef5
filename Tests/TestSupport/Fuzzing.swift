import Foundation
import Testing

/// SplitMix64: a small, fast, seeded generator, so a fuzz case is the same on every run and
/// on every machine, and any one case can be rebuilt from its seed and number.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One fuzz input and where it came from: the suite's seed and the case's number rebuild it
/// (``Fuzzer/input(seed:case:samples:tokens:maxBytes:)``).
public struct FuzzCase: Sendable {
    public let seed: UInt64
    public let number: Int
    public let bytes: [UInt8]

    /// The input as text, invalid UTF-8 repaired (what a reader of `String` input sees).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// "seed S case N" and the input's first bytes, for failure messages.
    public var label: String {
        let shown = String(decoding: bytes.prefix(120), as: UTF8.self).debugDescription
        return "fuzz seed \(seed) case \(number) (\(bytes.count) bytes: \(shown)\(bytes.count > 120 ? "…" : ""))"
    }
}

/// Seeded mutation fuzzing: valid samples changed by byte flips, truncation, duplication,
/// inserted control characters and format tokens, bounded repeats, plus inputs of random
/// bytes. Inputs stay small (``defaultMaxBytes``), so every case is quick and bounded.
public enum Fuzzer {
    /// The most bytes an input has.
    public static let defaultMaxBytes = 16 * 1024
    /// The longest error text (or output) a parser may produce for one fuzz input.
    public static let maxTextBytes = 64 * 1024
    /// How many cases each suite runs at least.
    public static let defaultCases = 600

    /// Characters that break parsers and terminals: C0 controls, DEL, ESC sequences, BOM,
    /// zero-width space, bidi override, NBSP, a lone surrogate's replacement.
    static let hostile: [[UInt8]] = [
        [0x00], [0x07], [0x08], [0x09], [0x0A], [0x0D], [0x0D, 0x0A], [0x1B], [0x7F],
        Array("\u{1B}[2J".utf8), Array("\u{1B}]0;title\u{07}".utf8), Array("\u{FEFF}".utf8),
        Array("\u{200B}".utf8), Array("\u{202E}".utf8), Array("\u{00A0}".utf8), [0xC3], [0xFF, 0xFE], [0xED, 0xA0, 0x80],
    ]

    /// The input of case `number`: a mutated sample (most cases) or random bytes (one in eight).
    public static func input(seed: UInt64, case number: Int, samples: [[UInt8]], tokens: [[UInt8]] = [],
                             maxBytes: Int = defaultMaxBytes) -> FuzzCase {
        var generator = SeededGenerator(seed: seed ^ (UInt64(number) &* 0xD6E8_FEB8_6659_FD93))
        var bytes: [UInt8]
        if samples.isEmpty || Int.random(in: 0..<8, using: &generator) == 0 {
            bytes = (0..<Int.random(in: 0...512, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        } else {
            bytes = samples[Int.random(in: 0..<samples.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutate(&bytes, tokens: tokens, maxBytes: maxBytes, using: &generator)
            }
        }
        if bytes.count > maxBytes { bytes.removeLast(bytes.count - maxBytes) }
        return FuzzCase(seed: seed, number: number, bytes: bytes)
    }

    /// One mutation of `bytes`, never growing it past `maxBytes`.
    static func mutate(_ bytes: inout [UInt8], tokens: [[UInt8]], maxBytes: Int, using generator: inout SeededGenerator) {
        func position(_ extra: Int = 0) -> Int { Int.random(in: 0...max(0, bytes.count - 1 + extra), using: &generator) }
        func insert(_ piece: [UInt8]) {
            guard bytes.count + piece.count <= maxBytes else { return }
            bytes.insert(contentsOf: piece, at: min(position(1), bytes.count))
        }
        switch Int.random(in: 0..<8, using: &generator) {
        case 0 where !bytes.isEmpty:  // flip a bit
            let index = position()
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &generator)
        case 1 where !bytes.isEmpty:  // truncate
            bytes.removeLast(bytes.count - position())
        case 2 where !bytes.isEmpty:  // duplicate a slice
            let start = position()
            let end = min(bytes.count, start + Int.random(in: 1...256, using: &generator))
            insert(Array(bytes[start..<end]))
        case 3:  // a control character or escape sequence
            insert(hostile[Int.random(in: 0..<hostile.count, using: &generator)])
        case 4 where !tokens.isEmpty:  // a token of the format
            insert(tokens[Int.random(in: 0..<tokens.count, using: &generator)])
        case 5 where !bytes.isEmpty:  // a bounded huge repeat of a short slice
            let start = position()
            let slice = Array(bytes[start..<min(bytes.count, start + Int.random(in: 1...8, using: &generator))])
            let room = max(0, maxBytes - bytes.count)
            let times = min(Int.random(in: 16...4096, using: &generator), room / max(1, slice.count))
            insert(Array([[UInt8]](repeating: slice, count: times).joined()))
        case 6 where !bytes.isEmpty:  // delete a slice
            let start = position()
            bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...64, using: &generator)))
        default:  // a random byte
            insert([UInt8.random(in: 0...255, using: &generator)])
        }
    }

    /// Runs `parse` on `count` cases and checks what it says: every text it returns (error
    /// descriptions, rendered output) is shorter than ``maxTextBytes`` and holds none of
    /// `secrets`. Returns how many cases ran. `parse` must not trap: a trap ends the test
    /// process without naming the case, so with `FUZZ_TRACE=1` in the environment each
    /// case's label is printed before it runs, and the last one printed is the culprit.
    public static func run(seed: UInt64, count: Int = defaultCases, samples: [[UInt8]], tokens: [[UInt8]] = [],
                           secrets: [String], maxBytes: Int = defaultMaxBytes, knownIssues: [Int: Comment] = [:],
                           sourceLocation: SourceLocation = #_sourceLocation,
                           _ parse: (FuzzCase) -> [String]) -> Int {
        let tracing = ProcessInfo.processInfo.environment["FUZZ_TRACE"] != nil
        var ran = 0
        for number in 0..<count {
            let fuzzCase = input(seed: seed, case: number, samples: samples, tokens: tokens, maxBytes: maxBytes)
            if tracing { print(fuzzCase.label) }
            let texts = parse(fuzzCase)
            ran += 1
            if let known = knownIssues[number] {
                // Intermittent: once the defect is fixed elsewhere, the case passes quietly.
                withKnownIssue(known, isIntermittent: true) {
                    check(texts, of: fuzzCase, secrets: secrets, sourceLocation: sourceLocation)
                }
            } else {
                check(texts, of: fuzzCase, secrets: secrets, sourceLocation: sourceLocation)
            }
        }
        return ran
    }

    /// Records an issue for every text too long or holding a secret.
    static func check(_ texts: [String], of fuzzCase: FuzzCase, secrets: [String], sourceLocation: SourceLocation) {
        for text in texts {
            if text.utf8.count >= maxTextBytes {
                Issue.record("\(fuzzCase.label): \(text.utf8.count) bytes of text", sourceLocation: sourceLocation)
            }
            for secret in secrets where text.contains(secret) {
                Issue.record("\(fuzzCase.label): the secret \(secret.prefix(6))… is in \(text.prefix(400).debugDescription)",
                             sourceLocation: sourceLocation)
            }
        }
    }

    /// The UTF-8 bytes of each text, for `samples` and `tokens`.
    public static func bytes(_ texts: [String]) -> [[UInt8]] { texts.map { Array($0.utf8) } }
}
