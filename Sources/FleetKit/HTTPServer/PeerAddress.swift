#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The IP address a connection comes from, without its port: what the per-peer connection
/// limit counts by. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address, so a
/// client counts once whichever socket family the listener has.
struct PeerAddress: Hashable, Sendable {
    /// 4 bytes for IPv4, 16 for IPv6, none for a family the server does not know (all such
    /// peers share one count).
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The address in `storage`, as filled in by `accept`.
    init(_ storage: sockaddr_storage) {
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self).sin_addr }
            self.init(bytes: withUnsafeBytes(of: address) { Array($0) })
        case AF_INET6:
            let address = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self).sin6_addr }
            let raw = withUnsafeBytes(of: address) { Array($0) }
            let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
            self.init(bytes: raw.count == 16 && Array(raw[0..<12]) == mappedPrefix ? Array(raw[12...]) : raw)
        default:
            self.init(bytes: [])
        }
    }
}
