/// The gzip format (RFC 1952) around ``Deflate``, for HTTP's `Content-Encoding: gzip`.
public enum Gzip {
    /// `bytes` as a gzip member: a 10-byte header (no name, time 0), the DEFLATE stream,
    /// then the CRC-32 and the length modulo 2^32, little-endian.
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        output += Deflate.compress(bytes)
        let crc = CRC32.checksum(bytes)
        let size = UInt32(truncatingIfNeeded: bytes.count)
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: crc >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return output
    }
}
