import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a host name into the IPv4 addresses it has: the seam name checks go through, so a
/// test can answer for names without touching the system's resolver or `/etc/hosts`.
public protocol HostNameResolver: Sendable {
    /// The IPv4 addresses of `name`, as dotted quads.
    /// - Throws: when the name cannot be resolved, with the resolver's reason.
    func ipv4Addresses(of name: String) async throws -> [String]
}

/// The system's resolver (`getaddrinfo`, so `/etc/hosts` and DNS as the machine is set up),
/// called on a thread of its own.
public struct SystemHostNameResolver: HostNameResolver {
    /// Why a name did not resolve.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The resolver's reason.
        public let description: String
    }

    /// Creates the resolver.
    public init() {}

    /// Asks `getaddrinfo` for the name's IPv4 addresses, in the order it gives, without repeats.
    public func ipv4Addresses(of name: String) async throws -> [String] {
        let result: Result<[String], Failure> = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.resolve(name)) }
        }
        return try result.get()
    }

    private static func resolve(_ name: String) -> Result<[String], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0 else { return .failure(Failure(description: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var cursor = list
        while let entry = cursor {
            if let socketAddress = entry.pointee.ai_addr, entry.pointee.ai_family == AF_INET {
                var address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                if inet_ntop(AF_INET, &address, &buffer, socklen_t(INET_ADDRSTRLEN)) != nil {
                    let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !addresses.contains(text) { addresses.append(text) }
                }
            }
            cursor = entry.pointee.ai_next
        }
        return .success(addresses)
    }
}
