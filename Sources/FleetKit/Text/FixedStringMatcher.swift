#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds many fixed byte strings at once in a buffer, for scanners that look for dozens of
/// markers in every line of logs of any size.
///
/// Wu–Manber search: a window as long as the shortest pattern slides over the text, and a
/// table indexed by the window's last two bytes says how far it may jump without passing
/// an occurrence; only windows ending in a block that closes some pattern's prefix are
/// compared in full. Patterns are bytes (UTF-8 for text) and are matched case-sensitively;
/// an empty pattern matches nothing.
public struct FixedStringMatcher: Sendable {
    /// The patterns, in the order given; matches are reported by index into this list.
    public let patterns: [[UInt8]]
    /// Length of the sliding window: the shortest pattern's length, at most 255.
    private let window: Int
    /// Bytes per block: 2, or 1 when the shortest pattern is one byte long.
    private let blockBytes: Int
    /// Safe jump for each block value (65 536 entries).
    private let shift: [UInt8]
    /// `candidates[bucketStart[b] ..< bucketStart[b + 1]]`: the patterns whose window ends in block `b`.
    private let bucketStart: [Int32]
    private let candidates: [Int32]
    /// Every pattern's bytes one after the other, with where each starts.
    private let patternBytes: [UInt8]
    private let patternOffsets: [Int]

    /// Builds the tables for `patterns`.
    public init(_ patterns: [[UInt8]]) {
        self.patterns = patterns
        let searched = patterns.filter { !$0.isEmpty }
        let window = min(255, searched.map(\.count).min() ?? 1)
        let blockBytes = window >= 2 ? 2 : 1
        self.window = window
        self.blockBytes = blockBytes
        var shift = [UInt8](repeating: UInt8(window - blockBytes + 1), count: 1 << 16)
        var buckets = [[Int32]](repeating: [], count: 1 << 16)
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            for end in (blockBytes - 1)..<window {
                let block = Self.block(pattern, end: end, blockBytes: blockBytes)
                shift[block] = min(shift[block], UInt8(window - 1 - end))
            }
            buckets[Self.block(pattern, end: window - 1, blockBytes: blockBytes)].append(Int32(index))
        }
        var starts = [Int32](repeating: 0, count: (1 << 16) + 1)
        var flat: [Int32] = []
        for (block, bucket) in buckets.enumerated() {
            starts[block] = Int32(flat.count)
            flat += bucket
        }
        starts[1 << 16] = Int32(flat.count)
        self.shift = shift
        self.bucketStart = starts
        self.candidates = flat
        patternBytes = patterns.flatMap { $0 }
        patternOffsets = patterns.reduce(into: [0]) { $0.append(($0.last ?? 0) + $1.count) }
    }

    /// Builds the tables for the UTF-8 bytes of `strings`.
    public init(strings: [String]) {
        self.init(strings.map { Array($0.utf8) })
    }

    private static func block(_ bytes: [UInt8], end: Int, blockBytes: Int) -> Int {
        blockBytes == 2 ? Int(bytes[end - 1]) << 8 | Int(bytes[end]) : Int(bytes[end])
    }

    /// Runs `body` with the tables as buffers (the pattern bytes as a pointer: there is at least one pattern).
    private func withTables(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>,
                                     UnsafeRawPointer, UnsafeBufferPointer<Int>) -> Void) {
        shift.withUnsafeBufferPointer { shift in
            bucketStart.withUnsafeBufferPointer { starts in
                candidates.withUnsafeBufferPointer { candidates in
                    patternOffsets.withUnsafeBufferPointer { offsets in
                        patternBytes.withUnsafeBytes { bytes in
                            guard let bytes = bytes.baseAddress else { return }
                            body(shift, starts, candidates, bytes, offsets)
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the pattern index of every occurrence in `text`, in order of
    /// where the occurrences end (overlapping ones and repeats included).
    public func forEachMatch(in text: UnsafeRawBufferPointer, _ body: (Int) -> Void) {
        let count = text.count
        guard !candidates.isEmpty, count >= window, let base = text.baseAddress else { return }
        let window = self.window
        let twoByteBlocks = blockBytes == 2
        withTables { shift, starts, candidates, bytes, offsets in
            var end = window - 1
            while end < count {
                let block = twoByteBlocks ? Int(text[end - 1]) << 8 | Int(text[end]) : Int(text[end])
                let jump = Int(shift[block])
                if jump != 0 {
                    end += jump
                    continue
                }
                let start = end - window + 1
                for slot in Int(starts[block])..<Int(starts[block + 1]) {
                    let index = Int(candidates[slot])
                    let length = offsets[index + 1] - offsets[index]
                    if start + length <= count, memcmp(base + start, bytes + offsets[index], length) == 0 { body(index) }
                }
                end += 1
            }
        }
    }
}

