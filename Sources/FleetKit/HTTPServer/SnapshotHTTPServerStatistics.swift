/// Counters of a ``SnapshotHTTPServer`` since it started, for tests and for the daemon's
/// own metrics. Each value only grows, except ``openConnections``, which is a gauge.
public struct SnapshotHTTPServerStatistics: Sendable, Equatable {
    /// Connections admitted under `maxConnections` (refused ones are not counted here).
    public internal(set) var connectionsAccepted = 0
    /// Connections answered `503 Service Unavailable` and closed because `maxConnections`
    /// were already open, or their peer address already held `maxConnectionsPerPeer`.
    public internal(set) var connectionsRefused = 0
    /// The part of ``connectionsRefused`` refused because their peer address already held
    /// `maxConnectionsPerPeer` open connections.
    public internal(set) var connectionsRefusedForPeer = 0
    /// Connections closed because a request head did not arrive, or an answer could not be
    /// written, within `requestTimeout` (a fresh connection that sends nothing counts too).
    public internal(set) var connectionsTimedOut = 0
    /// Keep-alive connections closed after waiting `idleTimeout` for their next request.
    public internal(set) var idleConnectionsClosed = 0
    /// Well-formed requests answered, whatever the status (200, 401, 404, 405, ...).
    public internal(set) var requestsServed = 0
    /// Requests answered 400, 431 or 505 because they were malformed, too large, carried a
    /// body or spoke an unsupported HTTP version; their connections were closed.
    public internal(set) var badRequests = 0
    /// Admitted connections open right now.
    public internal(set) var openConnections = 0

    /// All counters at zero.
    public init() {}
}
