/// A DEFLATE (RFC 1951) compressor: LZ77 over a 32 KiB window with hash chains, written as
/// one block of the fixed Huffman codes. Simple and allocation-light; pages of repetitive
/// text (metrics, logs, JSON) shrink about tenfold. Any inflater reads the output.
enum Deflate {
    /// The compressed stream of `input`, final block included.
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var writer = BitWriter(capacity: input.count / 4 + 64)
        writer.write(1, count: 1)  // BFINAL
        writer.write(1, count: 2)  // BTYPE 01: fixed Huffman codes
        input.withUnsafeBufferPointer { bytes in
            var matcher = Matcher(count: bytes.count)
            var position = 0
            while position < bytes.count {
                let (length, distance) = matcher.longestMatch(in: bytes, at: position)
                if length >= Matcher.minimumMatch {
                    writeLength(length, to: &writer)
                    writeDistance(distance, to: &writer)
                    for inner in position..<(position + length) { matcher.insert(bytes, at: inner) }
                    position += length
                } else {
                    writeLiteral(Int(bytes[position]), to: &writer)
                    matcher.insert(bytes, at: position)
                    position += 1
                }
            }
        }
        writeLiteral(256, to: &writer)  // end of block
        return writer.finish()
    }

    private static let lengthBases: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtraBits: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBases: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtraBits: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    /// A literal/length symbol (0–285) in the fixed code.
    private static func writeLiteral(_ symbol: Int, to writer: inout BitWriter) {
        switch symbol {
        case 0...143: writer.writeHuffman(0x30 + symbol, count: 8)
        case 144...255: writer.writeHuffman(0x190 + symbol - 144, count: 9)
        case 256...279: writer.writeHuffman(symbol - 256, count: 7)
        default: writer.writeHuffman(0xC0 + symbol - 280, count: 8)
        }
    }

    private static func writeLength(_ length: Int, to writer: inout BitWriter) {
        var code = lengthBases.count - 1
        while lengthBases[code] > length { code -= 1 }
        writeLiteral(257 + code, to: &writer)
        if lengthExtraBits[code] > 0 { writer.write(UInt32(length - lengthBases[code]), count: lengthExtraBits[code]) }
    }

    private static func writeDistance(_ distance: Int, to writer: inout BitWriter) {
        var code = distanceBases.count - 1
        while distanceBases[code] > distance { code -= 1 }
        writer.writeHuffman(code, count: 5)
        if distanceExtraBits[code] > 0 { writer.write(UInt32(distance - distanceBases[code]), count: distanceExtraBits[code]) }
    }

    /// Finds earlier occurrences through chains of positions that share a 3-byte hash.
    private struct Matcher {
        static let minimumMatch = 3
        static let maximumMatch = 258
        static let window = 32_768
        static let chainLimit = 48
        private static let hashBits = 15
        private var head: [Int]
        private var previous: [Int]

        init(count: Int) {
            head = [Int](repeating: -1, count: 1 << Self.hashBits)
            previous = [Int](repeating: -1, count: Self.window)
        }

        private static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Int {
            let value = UInt32(bytes[position]) << 16 | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2])
            return Int((value &* 2_654_435_761) >> UInt32(32 - hashBits))
        }

        mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) {
            guard position + Self.minimumMatch <= bytes.count else { return }
            let slot = Self.hash(bytes, position)
            previous[position & (Self.window - 1)] = head[slot]
            head[slot] = position
        }

        func longestMatch(in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (length: Int, distance: Int) {
            guard position + Self.minimumMatch <= bytes.count else { return (0, 0) }
            let limit = min(Self.maximumMatch, bytes.count - position)
            var candidate = head[Self.hash(bytes, position)]
            var best = (length: 0, distance: 0)
            var steps = 0
            while candidate >= 0, position - candidate <= Self.window - 1, steps < Self.chainLimit {
                if bytes[candidate + best.length] == bytes[position + best.length] || best.length == 0 {
                    var length = 0
                    while length < limit && bytes[candidate + length] == bytes[position + length] { length += 1 }
                    if length > best.length {
                        best = (length, position - candidate)
                        if length == limit { break }
                    }
                }
                let next = previous[candidate & (Self.window - 1)]
                // A slot overwritten by a newer position would lead forward: stop there.
                if next >= candidate { break }
                candidate = next
                steps += 1
            }
            return best
        }
    }
}

/// Packs bits least-significant first, as DEFLATE stores them.
struct BitWriter {
    private var bytes: [UInt8]
    private var buffer: UInt64 = 0
    private var filled = 0

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Writes the low `count` bits of `value`, lowest first (extra bits, header fields).
    mutating func write(_ value: UInt32, count: Int) {
        buffer |= UInt64(value & ((1 << UInt32(count)) - 1)) << UInt64(filled)
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: buffer))
            buffer >>= 8
            filled -= 8
        }
    }

    /// Writes a Huffman code of `count` bits, whose most significant bit goes first.
    mutating func writeHuffman(_ code: Int, count: Int) {
        var reversed: UInt32 = 0
        var remaining = UInt32(truncatingIfNeeded: code)
        for _ in 0..<count {
            reversed = reversed << 1 | (remaining & 1)
            remaining >>= 1
        }
        write(reversed, count: count)
    }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
        buffer = 0
        filled = 0
        return bytes
    }
}
