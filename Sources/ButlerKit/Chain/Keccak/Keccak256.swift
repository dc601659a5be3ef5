/// Keccak-256 as Ethereum uses it: the original Keccak padding (`0x01 … 0x80`), not the
/// NIST SHA3-256 padding (`0x06 … 0x80`), so `Keccak256.hash([])` is `c5d24601…5d85a470`.
public enum Keccak256 {
    /// Bytes absorbed per permutation: 1600-bit state minus a 512-bit capacity.
    static let rateInBytes = 136

    /// The 24 round constants of the iota step.
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// Rotation offsets of the rho step, indexed by `x + 5 * y`.
    private static let rotationOffsets: [UInt64] = [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ]

    /// Returns the 32-byte Keccak-256 digest of `message`.
    public static func hash<Bytes: Collection>(_ message: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var state = [UInt64](repeating: 0, count: 25)
        var block = [UInt8]()
        block.reserveCapacity(rateInBytes)
        for byte in message {
            block.append(byte)
            if block.count == rateInBytes {
                absorb(block, into: &state)
                block.removeAll(keepingCapacity: true)
            }
        }
        let padStart = block.count
        block.append(contentsOf: repeatElement(0, count: rateInBytes - padStart))
        block[padStart] ^= 0x01
        block[rateInBytes - 1] ^= 0x80
        absorb(block, into: &state)

        var digest = [UInt8]()
        digest.reserveCapacity(32)
        for lane in state.prefix(4) {
            for shift in stride(from: 0, to: 64, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift)))
            }
        }
        return digest
    }

    /// Returns the Keccak-256 digest of the UTF-8 bytes of `text`.
    public static func hash(utf8 text: String) -> [UInt8] {
        hash(Array(text.utf8))
    }

    /// XORs one rate-sized block (little-endian lanes) into the state and permutes it.
    private static func absorb(_ block: [UInt8], into state: inout [UInt64]) {
        for laneIndex in 0..<(rateInBytes / 8) {
            var lane: UInt64 = 0
            for byteIndex in 0..<8 {
                lane |= UInt64(block[laneIndex * 8 + byteIndex]) << UInt64(byteIndex * 8)
            }
            state[laneIndex] ^= lane
        }
        permute(&state)
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt64, by offset: UInt64) -> UInt64 {
        offset == 0 ? value : (value << offset) | (value >> (64 &- offset))
    }

    /// The Keccak-f[1600] permutation: 24 rounds of theta, rho, pi, chi and iota.
    private static func permute(_ a: inout [UInt64]) {
        var columns = [UInt64](repeating: 0, count: 5)
        var moved = [UInt64](repeating: 0, count: 25)
        for round in 0..<24 {
            for x in 0..<5 {
                columns[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20]
            }
            for x in 0..<5 {
                let mix = columns[(x + 4) % 5] ^ rotateLeft(columns[(x + 1) % 5], by: 1)
                for y in 0..<5 { a[x + 5 * y] ^= mix }
            }
            for x in 0..<5 {
                for y in 0..<5 {
                    let index = x + 5 * y
                    moved[y + 5 * ((2 * x + 3 * y) % 5)] = rotateLeft(a[index], by: rotationOffsets[index])
                }
            }
            for y in 0..<5 {
                for x in 0..<5 {
                    a[x + 5 * y] = moved[x + 5 * y] ^ (~moved[(x + 1) % 5 + 5 * y] & moved[(x + 2) % 5 + 5 * y])
                }
            }
            a[0] ^= roundConstants[round]
        }
    }
}
