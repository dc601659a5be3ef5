#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few socket system calls the server makes, each retried on EINTR and reduced to the
/// outcomes the serving loop acts on. Every descriptor is non-blocking and close-on-exec,
/// and no write can raise SIGPIPE (MSG_NOSIGNAL on Linux, SO_NOSIGPIPE elsewhere).
enum SocketCalls {
    enum AcceptOutcome {
        /// A new connection and the address it comes from.
        case connection(Int32, peer: PeerAddress)
        /// Nothing waiting (EAGAIN), or a connection that vanished before it was accepted.
        case nothingPending
        /// The process or system is out of descriptors or memory: stop accepting a moment.
        case outOfResources
    }

    enum TransferOutcome {
        case transferred(Int)
        case wouldBlock
        /// The peer closed (a read of 0 bytes).
        case endOfStream
        /// Reset, broken pipe or another error: the connection is gone.
        case failed
    }

    /// Opens a non-blocking listening socket bound to `address`:`port`; returns it and the
    /// port actually bound (the system's choice when `port` is 0).
    static func openListener(on address: IPAddressLiteral, host: String, port: Int, backlog: Int32) throws(SnapshotHTTPServerError) -> (descriptor: Int32, port: Int) {
        let domain: Int32
        switch address.family {
        case .v4: domain = AF_INET
        case .v6: domain = AF_INET6
        }
        let descriptor = makeSocket(domain: domain)
        guard descriptor >= 0 else { throw failure("socket()", host: host, port: port) }
        var enabled: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enabled, socklen_t(MemoryLayout<Int32>.size))
        let bound = bindSocket(descriptor, address: address, port: port)
        guard bound == 0 else {
            let error = failure("bind()", host: host, port: port)
            _ = close(descriptor)
            throw error
        }
        guard listen(descriptor, backlog) == 0 else {
            let error = failure("listen()", host: host, port: port)
            _ = close(descriptor)
            throw error
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            let error = failure("getsockname()", host: host, port: port)
            _ = close(descriptor)
            throw error
        }
        let networkPort: in_port_t = withUnsafeBytes(of: storage) { raw in
            domain == AF_INET
                ? raw.load(as: sockaddr_in.self).sin_port
                : raw.load(as: sockaddr_in6.self).sin6_port
        }
        return (descriptor, Int(in_port_t(bigEndian: networkPort)))
    }

    private static func makeSocket(domain: Int32) -> Int32 {
        #if os(Linux)
        return socket(domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(domain, SOCK_STREAM, 0)
        if descriptor >= 0 { setNonBlockingAndCloseOnExec(descriptor) }
        return descriptor
        #endif
    }

    private static func bindSocket(_ descriptor: Int32, address: IPAddressLiteral, port: Int) -> Int32 {
        let networkPort = in_port_t(truncatingIfNeeded: port).bigEndian
        switch address.family {
        case .v4(let networkAddress):
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = networkPort
            socketAddress.sin_addr = in_addr(s_addr: networkAddress)
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(let bytes):
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = networkPort
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { raw in
                for (offset, byte) in bytes.prefix(raw.count).enumerated() { raw[offset] = byte }
            }
            return withUnsafePointer(to: &socketAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    private static func failure(_ call: String, host: String, port: Int) -> SnapshotHTTPServerError {
        let code = errno
        let reason = String(cString: strerror(code))
        return SnapshotHTTPServerError("Cannot listen on \(host) port \(port): \(call) failed with \(reason) (errno \(code)).")
    }

    /// Accepts one pending connection as a non-blocking, close-on-exec descriptor.
    static func acceptConnection(from listener: Int32) -> AcceptOutcome {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let descriptor: Int32 = withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    if let accept4 = AtomicFlagCalls.accept4 {
                        return accept4(listener, address, &length, AtomicFlagCalls.nonBlockingCloseOnExec)
                    }
                    let accepted = accept(listener, address, &length)
                    if accepted >= 0 { configureAccepted(accepted) }
                    return accepted
                }
            }
            if descriptor >= 0 {
                // An answer's head and body go out as two writes; without this, the body
                // would wait for the client's delayed ACK of the head.
                var enabled: Int32 = 1
                _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &enabled, socklen_t(MemoryLayout<Int32>.size))
                return .connection(descriptor, peer: PeerAddress(storage))
            }
            switch errno {
            case EINTR: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .outOfResources
            default: return .nothingPending  // EAGAIN, ECONNABORTED, EPROTO, ...
            }
        }
    }

    /// Makes an accepted socket non-blocking and close-on-exec, and (where MSG_NOSIGNAL is
    /// missing) keeps its writes from raising SIGPIPE.
    private static func configureAccepted(_ descriptor: Int32) {
        setNonBlockingAndCloseOnExec(descriptor)
        #if !os(Linux)
        var enabled: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &enabled, socklen_t(MemoryLayout<Int32>.size))
        #endif
    }

    private static func setNonBlockingAndCloseOnExec(_ descriptor: Int32) {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// Reads up to `buffer.count` bytes into `buffer`.
    static func receiveSome(from descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> TransferOutcome {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .transferred(0) }
        while true {
            let count = recv(descriptor, base, buffer.count, 0)
            if count > 0 { return .transferred(count) }
            if count == 0 { return .endOfStream }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed
            }
        }
    }

    /// Writes as much of `bytes` as the socket takes now, without raising SIGPIPE.
    static func sendSome(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> TransferOutcome {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .transferred(0) }
        #if os(Linux)
        let flags = Int32(MSG_NOSIGNAL)
        #else
        let flags: Int32 = 0
        #endif
        while true {
            let count = send(descriptor, base, bytes.count, flags)
            if count >= 0 { return .transferred(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed
            }
        }
    }

    /// Sends FIN: the peer reads the end of the answer, and the socket can still be read.
    static func shutdownWriting(_ descriptor: Int32) {
        _ = shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Closes `descriptor` once; on EINTR the descriptor is already released on Linux, so
    /// it is never closed twice.
    static func closeDescriptor(_ descriptor: Int32) {
        _ = close(descriptor)
    }

    /// A non-blocking, close-on-exec pipe whose read end wakes `poll` when a byte is written.
    static func makeWakePipe() throws(SnapshotHTTPServerError) -> (reader: Int32, writer: Int32) {
        var ends: [Int32] = [-1, -1]
        if let pipe2 = AtomicFlagCalls.pipe2 {
            guard pipe2(&ends, AtomicFlagCalls.nonBlockingCloseOnExec) == 0 else {
                throw SnapshotHTTPServerError("Cannot start serving: pipe2() failed with \(String(cString: strerror(errno))).")
            }
        } else {
            guard pipe(&ends) == 0 else {
                throw SnapshotHTTPServerError("Cannot start serving: pipe() failed with \(String(cString: strerror(errno))).")
            }
            for end in ends { setNonBlockingAndCloseOnExec(end) }
        }
        return (ends[0], ends[1])
    }
}

/// `accept4` and `pipe2`, which create descriptors already non-blocking and close-on-exec,
/// so a program started on another thread at that instant cannot inherit them. glibc
/// declares both only for `_GNU_SOURCE`, which Swift's Glibc module does not define, so
/// they are looked up by name; where they are missing (Darwin), the flags are set with
/// `fcntl` right after.
private enum AtomicFlagCalls {
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32

    static let accept4: Accept4? = symbol("accept4", as: Accept4.self)
    static let pipe2: Pipe2? = symbol("pipe2", as: Pipe2.self)

    /// O_NONBLOCK | O_CLOEXEC, which on Linux equal SOCK_NONBLOCK | SOCK_CLOEXEC.
    static let nonBlockingCloseOnExec = O_NONBLOCK | O_CLOEXEC

    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        #if os(Linux)
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: type)
        #else
        return nil
        #endif
    }
}
