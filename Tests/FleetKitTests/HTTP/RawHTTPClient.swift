import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One answer read off the wire by ``RawHTTPClient``.
struct RawHTTPResponse {
    var status: Int
    /// Header lines in order, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The value of the first header called `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

struct RawClientError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking TCP client on 127.0.0.1 that sends exact bytes and reads raw answers, so
/// tests can send malformed heads, stall half-way, or vanish without reading.
///
/// Every read gives up after `readTimeout` (SO_RCVTIMEO), so a test that waits for an
/// answer that never comes fails instead of hanging.
final class RawHTTPClient {
    private(set) var descriptor: Int32
    /// Bytes received but not yet returned.
    private var pending: [UInt8] = []

    /// Connects to `port` on 127.0.0.1; with `sourceAddress` (another loopback address such
    /// as 127.0.0.2, which Linux routes to `lo` too), the connection comes from there, so a
    /// test can play a second peer.
    init(port: Int, readTimeout: Duration = .seconds(10), sourceAddress: String? = nil) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawClientError(description: "socket() failed: errno \(errno)") }
        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr = in_addr(s_addr: inet_addr(sourceAddress))
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                Glibc.close(descriptor)
                descriptor = -1
                throw RawClientError(description: "bind() to \(sourceAddress) failed: errno \(code)")
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(descriptor)
            descriptor = -1
            throw RawClientError(description: "connect() to port \(port) failed: errno \(code)")
        }
        setReadTimeout(readTimeout)
    }

    deinit { close() }

    /// Whether a connection to `port` on 127.0.0.1 is refused (nothing listens there).
    static func connectionRefused(port: Int) -> Bool {
        do {
            let client = try RawHTTPClient(port: port)
            client.close()
            return false
        } catch {
            return true
        }
    }

    func setReadTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw RawClientError(description: "send() failed: errno \(errno)")
            }
            offset += sent
        }
    }

    /// Sends a GET (or another method) with a Host header and the given extra header lines.
    func request(_ method: String = "GET", _ target: String, headers: [String] = []) throws {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for header in headers { text += header + "\r\n" }
        try send(text + "\r\n")
    }

    /// Reads one answer: its head, then `Content-Length` bytes of body unless `headOnly`.
    func readResponse(headOnly: Bool = false) throws -> RawHTTPResponse {
        let headEnd = try fill { buffer in
            buffer.firstRange(of: Array("\r\n\r\n".utf8)).map { $0.upperBound }
        }
        let headText = String(decoding: pending[0..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd)
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        guard !lines.isEmpty else { throw RawClientError(description: "empty head") }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw RawClientError(description: "bad status line in \(headText)")
        }
        let headers = lines.map { line -> (name: String, value: String) in
            let parts = line.split(separator: ":", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        var response = RawHTTPResponse(status: status, headers: headers, body: [])
        let length = response.header("Content-Length").flatMap(Int.init) ?? 0
        if !headOnly && length > 0 {
            _ = try fill { $0.count >= length ? length : nil }
            response.body = Array(pending[0..<length])
            pending.removeFirst(length)
        }
        return response
    }

    /// Reads until `complete` finds what it needs in the received bytes; throws on EOF,
    /// error or read timeout.
    private func fill(until complete: ([UInt8]) -> Int?) throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let found = complete(pending) { return found }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                pending.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                throw RawClientError(description: "connection closed after \(pending.count) bytes")
            } else if errno != EINTR {
                throw RawClientError(description: "recv() failed: errno \(errno) after \(pending.count) bytes")
            }
        }
    }

    /// Reads and drops everything until the server closes; true when it did so within
    /// `limit` (a reset counts as closed), false when the read timed out first.
    func waitForClose(within limit: Duration = .seconds(5)) -> Bool {
        setReadTimeout(limit)
        let deadline = ContinuousClock.now + limit
        var chunk = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 {
                if errno == EINTR { continue }
                return errno == ECONNRESET
            }
        }
        return false
    }

    /// Closes with an immediate reset (SO_LINGER 0), as a client that crashed would.
    func reset() {
        var setting = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &setting, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }
}

/// The number of open descriptors of this process.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
