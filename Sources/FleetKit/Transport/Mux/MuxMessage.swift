/// The messages of OpenSSH's connection multiplexing protocol (its `PROTOCOL.mux`, version
/// 4) that ``OpenSSHTransport`` speaks on a master connection's control socket, and their
/// wire form.
///
/// Every message travels as an SSH `uint32` length followed by that many bytes; the body
/// starts with the message type. Numbers are big-endian `uint32`, strings a `uint32`
/// length and the bytes, and flags a `uint32` 0 or 1 (as OpenSSH's own client writes them).
/// A session is asked for with ``newSession(requestID:command:)``; the three standard
/// descriptors follow, one per `sendmsg` with a single byte and `SCM_RIGHTS`.
enum MuxMessage {
    /// The protocol version both sides must speak.
    static let protocolVersion: UInt32 = 4

    /// Message types, as numbered in `PROTOCOL.mux`.
    enum MessageType: UInt32, Sendable {
        case hello = 0x0000_0001
        case newSession = 0x1000_0002
        case aliveCheck = 0x1000_0004
        case terminate = 0x1000_0005
        case ok = 0x8000_0001
        case permissionDenied = 0x8000_0002
        case failure = 0x8000_0003
        case exitMessage = 0x8000_0004
        case alive = 0x8000_0005
        case sessionOpened = 0x8000_0006
        case remotePort = 0x8000_0007
        case ttyAllocationFailed = 0x8000_0008
    }

    /// "No escape character" in a new-session request.
    static let noEscapeCharacter: UInt32 = 0xFFFF_FFFF

    /// The largest message body accepted from a master; its replies are a few dozen bytes.
    static let largestBody = 256 * 1024

    /// The client's hello, framed.
    static func hello() -> [UInt8] {
        var body = MuxWriter()
        body.put(MessageType.hello.rawValue)
        body.put(protocolVersion)
        return body.framed()
    }

    /// A request for a session running `command` without a terminal, X11 or agent
    /// forwarding, escape character or environment, framed.
    static func newSession(requestID: UInt32, command: String) -> [UInt8] {
        var body = MuxWriter()
        body.put(MessageType.newSession.rawValue)
        body.put(requestID)
        body.put(string: [])          // reserved
        body.put(flag: false)         // terminal
        body.put(flag: false)         // X11 forwarding
        body.put(flag: false)         // agent forwarding
        body.put(flag: false)         // subsystem
        body.put(noEscapeCharacter)
        body.put(string: [])          // terminal type
        body.put(string: Array(command.utf8))
        return body.framed()
    }

    /// A health check, answered with the master's pid, framed.
    static func aliveCheck(requestID: UInt32) -> [UInt8] {
        var body = MuxWriter()
        body.put(MessageType.aliveCheck.rawValue)
        body.put(requestID)
        return body.framed()
    }

    /// A request that the master close its connection and exit, framed.
    static func terminate(requestID: UInt32) -> [UInt8] {
        var body = MuxWriter()
        body.put(MessageType.terminate.rawValue)
        body.put(requestID)
        return body.framed()
    }

    /// A message from the master.
    enum Reply: Sendable, Equatable {
        /// The master's hello with its protocol version (extensions are skipped).
        case hello(version: UInt32)
        /// A request succeeded.
        case ok(requestID: UInt32)
        /// The master refused a request.
        case permissionDenied(requestID: UInt32, reason: String)
        /// A request failed (for a session: the server refused the channel).
        case failure(requestID: UInt32, reason: String)
        /// A session's command ended with `status`.
        case exitMessage(sessionID: UInt32, status: UInt32)
        /// The master lives, with its pid.
        case alive(requestID: UInt32, pid: UInt32)
        /// The session asked for is open and its command was sent to the server.
        case sessionOpened(requestID: UInt32, sessionID: UInt32)
        /// The server could not allocate a terminal (never asked for here).
        case ttyAllocationFailed(sessionID: UInt32)
        /// A message this client never asks for (a forwarded port).
        case other(type: UInt32)
    }

    /// Reads one message body (without its length).
    ///
    /// - Throws: ``MuxProtocolError`` when the body is cut short or names no known type.
    static func decode(_ body: [UInt8]) throws(MuxProtocolError) -> Reply {
        var reader = MuxReader(body)
        let rawType = try reader.number()
        guard let type = MessageType(rawValue: rawType) else {
            throw MuxProtocolError("the master sent a message of unknown type 0x\(String(rawType, radix: 16))")
        }
        let reply: Reply
        switch type {
        case .hello:
            reply = .hello(version: try reader.number())
            // Extensions (name and value strings) carry nothing this client uses.
            while !reader.isAtEnd {
                _ = try reader.string()
                _ = try reader.string()
            }
        case .ok: reply = .ok(requestID: try reader.number())
        case .permissionDenied: reply = .permissionDenied(requestID: try reader.number(), reason: try reader.text())
        case .failure: reply = .failure(requestID: try reader.number(), reason: try reader.text())
        case .exitMessage: reply = .exitMessage(sessionID: try reader.number(), status: try reader.number())
        case .alive: reply = .alive(requestID: try reader.number(), pid: try reader.number())
        case .sessionOpened: reply = .sessionOpened(requestID: try reader.number(), sessionID: try reader.number())
        case .ttyAllocationFailed: reply = .ttyAllocationFailed(sessionID: try reader.number())
        case .newSession, .aliveCheck, .terminate, .remotePort: reply = .other(type: rawType)
        }
        return reply
    }
}

/// A message the master sent that cannot be read.
struct MuxProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with it.
    let description: String

    init(_ description: String) { self.description = description }
}

/// Cuts the byte stream from a master into message bodies.
struct MuxFramer: Sendable {
    private var buffer: [UInt8] = []

    /// Adds bytes read from the socket.
    mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 { buffer.append(contentsOf: bytes) }

    /// Whether bytes of an incomplete message are waiting.
    var hasPartialMessage: Bool { !buffer.isEmpty }

    /// The next complete message body, or `nil` until more bytes arrive.
    ///
    /// - Throws: ``MuxProtocolError`` for a length past ``MuxMessage/largestBody``.
    mutating func next() throws(MuxProtocolError) -> [UInt8]? {
        guard buffer.count >= 4 else { return nil }
        let length = buffer[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= MuxMessage.largestBody else {
            throw MuxProtocolError("the master announced a message of \(length) bytes")
        }
        guard buffer.count >= 4 + length else { return nil }
        let body = Array(buffer[4..<(4 + length)])
        buffer.removeFirst(4 + length)
        return body
    }
}

/// Builds a message body in SSH wire format.
struct MuxWriter {
    private(set) var bytes: [UInt8] = []

    mutating func put(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    mutating func put(flag: Bool) { put(flag ? 1 : 0) }

    mutating func put(string: [UInt8]) {
        put(UInt32(string.count))
        bytes += string
    }

    /// The body with its length in front.
    func framed() -> [UInt8] {
        var frame = MuxWriter()
        frame.put(string: bytes)
        return frame.bytes
    }
}

/// Reads a message body in SSH wire format.
struct MuxReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset >= bytes.count }

    mutating func number() throws(MuxProtocolError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw MuxProtocolError("a message from the master ends inside a number") }
        defer { offset += 4 }
        return bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() throws(MuxProtocolError) -> [UInt8] {
        let length = Int(try number())
        guard bytes.count - offset >= length else { throw MuxProtocolError("a message from the master ends inside a string") }
        defer { offset += length }
        return Array(bytes[offset..<(offset + length)])
    }

    mutating func text() throws(MuxProtocolError) -> String { String(decoding: try string(), as: UTF8.self) }
}
