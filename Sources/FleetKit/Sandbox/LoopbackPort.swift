import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ports on 127.0.0.1 for servers a demo or a test starts on this machine (``LocalSSHServer``
/// picks its port here; tests use it for their own stand-in servers).
public enum LoopbackPort {
    /// Why no port could be found.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What failed.
        public let description: String
    }

    /// A socket bound to 127.0.0.1 and listening, held until ``close()``: a port a test
    /// knows to be taken.
    public final class Listener: Sendable {
        /// The socket's descriptor.
        public let descriptor: Int32
        /// The port it holds.
        public let port: Int

        /// Binds `port` (0: a port of the kernel's choice) and listens.
        public init(port: Int = 0) throws(Failure) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "cannot open a socket to find a free port") }
            var address = LoopbackPort.loopback(port: port)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard bound == 0, listen(fd, 1) == 0 else {
                closeDescriptor(fd)
                throw Failure(description: "cannot bind a loopback socket to find a free port")
            }
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else {
                closeDescriptor(fd)
                throw Failure(description: "cannot read the port of a loopback socket")
            }
            descriptor = fd
            self.port = Int(UInt16(bigEndian: address.sin_port))
        }

        /// Releases the port.
        public func close() { closeDescriptor(descriptor) }
    }

    /// A port that was free a moment ago, for a server the caller starts. It lies below the
    /// kernel's ephemeral range, where neither the source port of an outgoing connection nor
    /// another server's port 0 can take it before the caller binds it, and no port is handed
    /// out twice in this process. Callers that can, bind port 0 themselves.
    public static func free() throws(Failure) -> Int {
        let range = 20_000..<max(20_001, ephemeralRangeStart)
        for _ in 0..<200 {
            let candidate = Int.random(in: range)
            guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
            if let listener = try? Listener(port: candidate) {
                listener.close()
                return candidate
            }
        }
        let listener = try Listener()
        listener.close()
        return listener.port
    }

    private static let handedOut = Locked<Set<Int>>([])

    /// The first port of Linux's ephemeral range (`ip_local_port_range`), 32768 by default.
    private static let ephemeralRangeStart: Int = {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
    }()

    /// Whether something accepts TCP connections on 127.0.0.1 at `port`.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    fileprivate static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(clamping: port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// The C library's `close`, reachable where a method of the same name hides it.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
