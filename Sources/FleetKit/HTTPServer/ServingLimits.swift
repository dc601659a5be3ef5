/// The limits the serving loop enforces, in the units it works in.
struct ServingLimits: Sendable {
    let maxConnections: Int
    /// How many of ``maxConnections`` one peer address may hold at once.
    let maxConnectionsPerPeer: Int
    let maxRequestHeadBytes: Int
    let requestTimeout: UInt64
    let idleTimeout: UInt64
    /// How long a closing connection keeps discarding input: the shorter of
    /// `requestTimeout` and two seconds.
    let lingerTime: UInt64
    /// Refused connections lingering at once beyond this are closed straight away.
    let maxLingeringRefusals = 32

    init(_ configuration: SnapshotHTTPServerConfiguration) {
        maxConnections = configuration.maxConnections
        maxConnectionsPerPeer = configuration.maxConnectionsPerPeer
        maxRequestHeadBytes = configuration.maxRequestHeadBytes
        requestTimeout = MonotonicClock.nanoseconds(of: configuration.requestTimeout)
        idleTimeout = MonotonicClock.nanoseconds(of: configuration.idleTimeout)
        lingerTime = min(requestTimeout, 2_000_000_000)
    }
}

/// Everything the serving thread needs, handed over when it starts.
struct ServingLoopSetup: Sendable {
    let listener: Int32
    let wakeReader: Int32
    let limits: ServingLimits
    let router: SnapshotRouter
    let statistics: Locked<SnapshotHTTPServerStatistics>
}
