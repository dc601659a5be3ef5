import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a TCP connection to an IP address and port and closes it at once: is something
/// listening there, and how long did the handshake take?
///
/// The blocking socket calls run on a thread of their own, never on the cooperative pool.
public enum TCPConnectProbe {
    /// Why the connection was not made.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What happened ("Connection refused", "no answer within 5 s").
        public let description: String
    }

    /// Connects to `address` (an IPv4 or IPv6 literal) on `port` within `timeout`.
    /// - Returns: the time the connection took.
    /// - Throws: ``Failure`` when the address is not a literal, the connection is refused or times out.
    public static func connect(address: String, port: Int, timeout: Duration) async throws(Failure) -> Duration {
        let result: Result<Duration, Failure> = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: blockingConnect(address: address, port: port, timeout: timeout)) }
        }
        return try result.get()
    }

    private static func blockingConnect(address: String, port: Int, timeout: Duration) -> Result<Duration, Failure> {
        guard (1...65535).contains(port) else { return .failure(Failure(description: "port \(port) is not from 1 to 65535")) }
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if address.contains(":") {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 else { return .failure(Failure(description: "'\(address)' is not an IP address")) }
            withUnsafeBytes(of: &v6) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            (length, family) = (socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
        } else {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, address, &v4.sin_addr) == 1 else { return .failure(Failure(description: "'\(address)' is not an IP address")) }
            withUnsafeBytes(of: &v4) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
            (length, family) = (socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failure(Failure(description: "cannot open a socket: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let clock = ContinuousClock()
        let start = clock.now
        let started = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketConnect(fd, $0, length) }
        }
        if started != 0 && errno != EINPROGRESS { return .failure(Failure(description: String(cString: strerror(errno)))) }
        if started != 0 {
            var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready == 0 { return .failure(Failure(description: "no answer within \(timeout)")) }
            if ready < 0 { return .failure(Failure(description: String(cString: strerror(errno)))) }
            var code: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
            if code != 0 { return .failure(Failure(description: String(cString: strerror(code)))) }
        }
        return .success(clock.now - start)
    }
}

/// The C library's `connect`, named apart from ``TCPConnectProbe/connect(address:port:timeout:)``.
private func socketConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.connect(fd, address, length)
    #else
    Darwin.connect(fd, address, length)
    #endif
}
