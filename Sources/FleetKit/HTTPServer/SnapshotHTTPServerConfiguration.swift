/// Where and how a ``SnapshotHTTPServer`` listens, with its limits; checked when created,
/// so a configuration that exists can be served.
///
/// Printing a configuration (description, debugDescription, `dump`) never shows the
/// bearer token.
public struct SnapshotHTTPServerConfiguration: Sendable {
    /// The address to listen on: an IPv4 or IPv6 literal such as "127.0.0.1", "::1",
    /// "0.0.0.0" or "::"; host names are not resolved.
    public var host: String
    /// The TCP port to listen on, 0...65535; 0 lets the system pick a free one, which
    /// ``SnapshotHTTPServer/start()`` returns.
    public var port: Int
    /// The token every request for a path outside ``publicPaths`` must present as
    /// `Authorization: Bearer <token>`; nil serves every path to anyone. Required when
    /// ``host`` is not a loopback address.
    public var bearerToken: String?
    /// Paths answered without the token (exact match, query ignored), e.g. a health check.
    public var publicPaths: Set<String>
    /// How many connections may be open at once; one more is answered
    /// `503 Service Unavailable` and closed at once.
    public var maxConnections: Int
    /// How many of those one peer IP address may hold at once (ports do not matter; an
    /// IPv4-mapped IPv6 address counts as its IPv4 address); one more from that address is
    /// answered `503 Service Unavailable` and closed, while other peers are still admitted.
    /// This keeps one client opening connections it never finishes (a slowloris) from
    /// taking every slot and making the endpoint look down to its scrapers.
    public var maxConnectionsPerPeer: Int
    /// The largest request head (request line and headers, with their line ends) accepted;
    /// a larger one is answered `431 Request Header Fields Too Large`.
    public var maxRequestHeadBytes: Int
    /// The time a client has to send one whole request head, counted from its first byte
    /// (or from the connection's opening), and the time the server has to write one answer.
    public var requestTimeout: Duration
    /// How long a keep-alive connection may wait for its next request before it is closed.
    public var idleTimeout: Duration

    /// Checks every value and creates the configuration.
    ///
    /// - Throws: ``SnapshotHTTPServerError`` naming the first option whose value cannot
    ///   work: a port outside 0...65535, a host that is not an IP address literal, a host
    ///   beyond loopback without a bearer token, an empty token or one with spaces or control
    ///   characters, a public path not starting with "/", `maxConnections` or
    ///   `maxConnectionsPerPeer` below 1,
    ///   `maxRequestHeadBytes` below 1024, or a timeout that is not positive.
    public init(
        host: String = "127.0.0.1", port: Int, bearerToken: String? = nil, publicPaths: Set<String> = ["/healthz"],
        maxConnections: Int = 256, maxConnectionsPerPeer: Int = 32, maxRequestHeadBytes: Int = 16384,
        requestTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30)
    ) throws(SnapshotHTTPServerError) {
        guard (0...65535).contains(port) else {
            throw SnapshotHTTPServerError("The port must be within 0...65535 (0 picks a free port), not \(port).")
        }
        guard let address = IPAddressLiteral(host) else {
            throw SnapshotHTTPServerError(
                "The host must be an IPv4 or IPv6 address literal such as 127.0.0.1, ::1, 0.0.0.0 or :: (without brackets), not '\(host)'.")
        }
        try Self.checkToken(bearerToken, host: host, isLoopback: address.isLoopback)
        for path in publicPaths.sorted() where !Self.isPlainPath(path) {
            throw SnapshotHTTPServerError(
                "Every public path must start with '/' and hold only visible ASCII characters without '?', but publicPaths contains '\(path)'.")
        }
        guard maxConnections >= 1 else {
            throw SnapshotHTTPServerError("maxConnections must be at least 1, not \(maxConnections).")
        }
        guard maxConnectionsPerPeer >= 1 else {
            throw SnapshotHTTPServerError("maxConnectionsPerPeer must be at least 1, not \(maxConnectionsPerPeer).")
        }
        guard maxRequestHeadBytes >= 1024 else {
            throw SnapshotHTTPServerError("maxRequestHeadBytes must be at least 1024, not \(maxRequestHeadBytes).")
        }
        guard requestTimeout > .zero else {
            throw SnapshotHTTPServerError("requestTimeout must be longer than zero, not \(requestTimeout).")
        }
        guard idleTimeout > .zero else {
            throw SnapshotHTTPServerError("idleTimeout must be longer than zero, not \(idleTimeout).")
        }
        self.host = host
        self.port = port
        self.bearerToken = bearerToken
        self.publicPaths = publicPaths
        self.maxConnections = maxConnections
        self.maxConnectionsPerPeer = maxConnectionsPerPeer
        self.maxRequestHeadBytes = maxRequestHeadBytes
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
    }

    /// Refuses a missing token beyond loopback and a token no `Authorization` header could
    /// carry; the messages never contain the token.
    private static func checkToken(_ token: String?, host: String, isLoopback: Bool) throws(SnapshotHTTPServerError) {
        guard let token, !token.isEmpty else {
            if !isLoopback {
                throw SnapshotHTTPServerError(
                    "Listening on \(host), beyond loopback, needs a bearer token: set bearerToken (METRICS_BEARER_TOKEN) to a non-empty secret, or listen on 127.0.0.1 or ::1.")
            }
            if token != nil {
                throw SnapshotHTTPServerError(
                    "bearerToken is empty, which no client could present; give a non-empty token or nil to serve without one.")
            }
            return
        }
        guard token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw SnapshotHTTPServerError(
                "bearerToken contains a space, a control character or a non-ASCII character, so no Authorization header could carry it; use visible ASCII characters only (the token is not shown here).")
        }
    }

    /// Whether `path` can be matched by a request target: "/" first, visible ASCII, no query.
    static func isPlainPath(_ path: String) -> Bool {
        guard path.utf8.first == UInt8(ascii: "/") else { return false }
        return path.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "?") }
    }
}

extension SnapshotHTTPServerConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The options on one line, the bearer token shown only as "set" or "none".
    public var description: String {
        "SnapshotHTTPServerConfiguration(host: \(host), port: \(port), bearerToken: \(bearerToken == nil ? "none" : "set"), "
            + "publicPaths: \(publicPaths.sorted()), maxConnections: \(maxConnections), maxConnectionsPerPeer: \(maxConnectionsPerPeer), "
            + "maxRequestHeadBytes: \(maxRequestHeadBytes), requestTimeout: \(requestTimeout), idleTimeout: \(idleTimeout))"
    }

    /// The same as ``description``: the token is never shown.
    public var debugDescription: String { description }

    /// A mirror whose bearer token child reads "set" or "none", so `dump` never shows it.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "bearerToken": bearerToken == nil ? "none" : "set",
            "publicPaths": publicPaths.sorted(), "maxConnections": maxConnections,
            "maxConnectionsPerPeer": maxConnectionsPerPeer,
            "maxRequestHeadBytes": maxRequestHeadBytes, "requestTimeout": requestTimeout, "idleTimeout": idleTimeout,
        ], displayStyle: .struct)
    }
}
