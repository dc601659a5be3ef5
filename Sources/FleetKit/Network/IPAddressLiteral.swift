#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address written as a literal ("127.0.0.1", "::1", "0.0.0.0", "::"),
/// parsed with `inet_pton` so host names are never resolved.
struct IPAddressLiteral: Sendable, Equatable {
    enum Family: Sendable, Equatable {
        case v4(in_addr_t)
        case v6([UInt8])
    }

    let family: Family

    /// Parses `text`, or returns nil when it is not an address literal (host names,
    /// bracketed or zoned IPv6 addresses, empty text).
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            family = .v4(v4.s_addr)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            family = .v6(withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// Whether only this machine can reach the address: 127.0.0.0/8, ::1, or an
    /// IPv4-mapped IPv6 form of 127.0.0.0/8.
    var isLoopback: Bool {
        switch family {
        case .v4(let networkOrder):
            return withUnsafeBytes(of: networkOrder) { $0.first == 127 }
        case .v6(let bytes):
            guard bytes.count == 16 else { return false }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
            let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
            return Array(bytes[0..<12]) == mappedPrefix && bytes[12] == 127
        }
    }
}
