import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ports on 127.0.0.1 for servers a test starts.
public enum LoopbackPort {
    /// Why no port could be found.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What failed.
        public let description: String
    }

    /// A socket bound to 127.0.0.1 at a port of the kernel's choice and listening, held
    /// until ``close()``: a port a test knows to be taken.
    public final class Listener: Sendable {
        /// The socket's descriptor.
        public let descriptor: Int32
        /// The port it holds.
        public let port: Int

        /// Binds and listens.
        public init() throws(Failure) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "cannot open a socket to find a free port") }
            var address = LoopbackPort.loopback(port: 0)
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
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        /// Releases the port.
        public func close() { closeDescriptor(descriptor) }
    }

    /// A port that was free a moment ago: the kernel's choice for a socket bound to port 0,
    /// released at once. Another program may take it before the caller binds it; callers
    /// that can, bind port 0 themselves.
    public static func free() throws(Failure) -> Int {
        let listener = try Listener()
        listener.close()
        return listener.port
    }

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
