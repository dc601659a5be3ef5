import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, hardened HTTP/1.1 server answering GET and HEAD with pre-rendered snapshots,
/// such as a metrics page and a health check.
///
/// One thread of its own (never Swift's cooperative pool) polls the listener and every
/// connection; answers are rendered when published, so a request costs a lookup and a
/// non-blocking write, and a slow reader never holds up the others.
///
/// - Routing: exact path match, query ignored, no percent-decoding; unknown paths get 404,
///   methods other than GET and HEAD get 405 with `Allow: GET, HEAD`.
/// - Authorization: with a bearer token configured, every path outside `publicPaths` needs
///   `Authorization: Bearer <token>` (compared in constant time), checked before routing so
///   a 401 does not tell whether the path exists.
/// - Limits: a malformed head gets 400, one over `maxRequestHeadBytes` 431, a GET or HEAD
///   announcing a body 400, each followed by closing the connection. A head not received,
///   or an answer not written, within `requestTimeout` closes the connection, as does a
///   keep-alive connection idle for `idleTimeout`. A connection beyond `maxConnections`, or
///   beyond `maxConnectionsPerPeer` from one peer address, is accepted, answered
///   `503 Service Unavailable` with `Retry-After: 1`, and closed, while the open ones keep
///   being served; so one client holding connections open cannot lock out the others.
public final class SnapshotHTTPServer: Sendable {
    private let configuration: SnapshotHTTPServerConfiguration
    private let snapshots = Locked<[String: RenderedResponse]>([:])
    private let counters = Locked(SnapshotHTTPServerStatistics())
    private let lifecycle = Locked(Lifecycle.notStarted)

    private struct ServingThread: Sendable {
        let wakeWriter: Int32
        let finished: DispatchGroup
    }

    private enum Lifecycle: Sendable {
        case notStarted
        case serving(ServingThread)
        case stopping(ServingThread)
        case stopped
    }

    /// Creates a server for `configuration`; nothing listens until ``start()``.
    public init(configuration: SnapshotHTTPServerConfiguration) {
        self.configuration = configuration
    }

    deinit { stop() }

    /// Replaces what GET and HEAD of `path` answer (exact path, starting with "/"); safe from
    /// any thread, and the next request sees it. The snapshot is rendered here, once; one
    /// that is not ``HTTPSnapshot/isServable`` is answered `500 Internal Server Error`.
    public func publish(_ snapshot: HTTPSnapshot, at path: String) {
        let rendered = RenderedResponse(snapshot: snapshot)
        snapshots.withLock { $0[path] = rendered }
    }

    /// The counters since the server was created; see ``SnapshotHTTPServerStatistics``.
    public var statistics: SnapshotHTTPServerStatistics { counters.withLock { $0 } }

    /// Binds and listens, then serves on a thread of its own. Returns the bound port (the
    /// system's choice when the configured port is 0).
    ///
    /// - Throws: ``SnapshotHTTPServerError`` when the configuration (which may have been
    ///   changed since it was checked) is no longer valid, when the address cannot be bound
    ///   (in use, not on this machine), or when the server was already started; a server
    ///   starts once, and a stopped one is replaced by a new one.
    public func start() throws(SnapshotHTTPServerError) -> Int {
        let checked = try SnapshotHTTPServerConfiguration(
            host: configuration.host, port: configuration.port, bearerToken: configuration.bearerToken,
            publicPaths: configuration.publicPaths, maxConnections: configuration.maxConnections,
            maxConnectionsPerPeer: configuration.maxConnectionsPerPeer,
            maxRequestHeadBytes: configuration.maxRequestHeadBytes, requestTimeout: configuration.requestTimeout,
            idleTimeout: configuration.idleTimeout)
        let outcome = lifecycle.withLock { state -> Result<Int, SnapshotHTTPServerError> in
            guard case .notStarted = state else {
                let already = if case .stopped = state { "stopped" } else { "started" }
                return .failure(SnapshotHTTPServerError(
                    "The server for \(checked.host) port \(checked.port) was already \(already); a server starts once, so create a new one to serve again."))
            }
            return Result { () throws(SnapshotHTTPServerError) -> Int in
                let (thread, port) = try launch(checked)
                state = .serving(thread)
                return port
            }
        }
        return try outcome.get()
    }

    /// Opens the listener and the wake pipe and starts the serving thread.
    private func launch(_ checked: SnapshotHTTPServerConfiguration) throws(SnapshotHTTPServerError) -> (ServingThread, Int) {
        guard let address = IPAddressLiteral(checked.host) else {
            throw SnapshotHTTPServerError("The host must be an IP address literal, not '\(checked.host)'.")
        }
        let backlog = Int32(min(max(checked.maxConnections, 16), 1024))
        let listener = try SocketCalls.openListener(on: address, host: checked.host, port: checked.port, backlog: backlog)
        let wake: (reader: Int32, writer: Int32)
        do {
            wake = try SocketCalls.makeWakePipe()
        } catch {
            SocketCalls.closeDescriptor(listener.descriptor)
            throw error
        }
        let router = SnapshotRouter(
            tokenCheck: checked.bearerToken.map(BearerTokenCheck.init(token:)), publicPaths: checked.publicPaths,
            snapshots: snapshots)
        let setup = ServingLoopSetup(
            listener: listener.descriptor, wakeReader: wake.reader, limits: ServingLimits(checked), router: router,
            statistics: counters)
        let finished = DispatchGroup()
        finished.enter()
        let thread = Thread {
            SnapshotServingLoop(setup).run()
            finished.leave()
        }
        thread.name = "SnapshotHTTPServer"
        thread.start()
        return (ServingThread(wakeWriter: wake.writer, finished: finished), listener.port)
    }

    /// Closes the listener and every connection, and waits for the serving thread to end.
    /// Idempotent and safe from any thread: later and concurrent calls wait for the same end.
    public func stop() {
        let (thread, mustWake) = lifecycle.withLock { state -> (ServingThread?, Bool) in
            switch state {
            case .notStarted, .stopped:
                state = .stopped
                return (nil, false)
            case .serving(let thread):
                state = .stopping(thread)
                return (thread, true)
            case .stopping(let thread):
                return (thread, false)
            }
        }
        guard let thread else { return }
        if mustWake { Self.wake(thread.wakeWriter) }
        thread.finished.wait()
        if mustWake {
            SocketCalls.closeDescriptor(thread.wakeWriter)
            lifecycle.withLock { $0 = .stopped }
        }
    }

    /// Writes the one byte that tells the serving loop to end.
    private static func wake(_ writer: Int32) {
        var byte: UInt8 = 1
        while write(writer, &byte, 1) < 0 && errno == EINTR {}
    }
}
