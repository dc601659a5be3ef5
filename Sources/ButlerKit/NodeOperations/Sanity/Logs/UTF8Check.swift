/// Whether bytes are valid UTF-8, with a fast path for the ASCII that logs are mostly made of.
enum UTF8Check {
    /// `cut` lines may end inside a character; a sequence cut short at the end is accepted.
    static func isValid(_ bytes: UnsafeRawBufferPointer, cut: Bool = false) -> Bool {
        var index = 0
        let count = bytes.count
        // Eight bytes at a time while no byte has its high bit set.
        while index + 8 <= count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return false
            }
            for offset in 1..<length {
                guard index + offset < count else { return cut }
                let byte = bytes[index + offset]
                if offset == 1 ? (byte < low || byte > high) : (byte < 0x80 || byte > 0xBF) { return false }
            }
            index += length
        }
        return true
    }
}
