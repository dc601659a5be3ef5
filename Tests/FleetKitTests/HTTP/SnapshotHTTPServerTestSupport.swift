import FleetKit
import Foundation

/// A started server on 127.0.0.1 with a few snapshots published, stopped by `stop()`.
struct RunningSnapshotServer {
    let server: SnapshotHTTPServer
    let port: Int

    static let metricsBody = Array("# a metrics page\nup 1\n".utf8)
    static let metricsType = "text/plain; version=0.0.4; charset=utf-8"

    init(_ configuration: SnapshotHTTPServerConfiguration) throws {
        server = SnapshotHTTPServer(configuration: configuration)
        server.publish(HTTPSnapshot(contentType: Self.metricsType, body: Self.metricsBody), at: "/metrics")
        server.publish(HTTPSnapshot(contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8)), at: "/healthz")
        port = try server.start()
    }

    /// A loopback server on a free port with the given options.
    init(token: String? = nil, maxConnections: Int = 256, maxConnectionsPerPeer: Int = 32, maxRequestHeadBytes: Int = 16384,
         requestTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30)) throws {
        try self.init(SnapshotHTTPServerConfiguration(
            port: 0, bearerToken: token, maxConnections: maxConnections, maxConnectionsPerPeer: maxConnectionsPerPeer,
            maxRequestHeadBytes: maxRequestHeadBytes,
            requestTimeout: requestTimeout, idleTimeout: idleTimeout))
    }

    func client(readTimeout: Duration = .seconds(10), sourceAddress: String? = nil) throws -> RawHTTPClient {
        try RawHTTPClient(port: port, readTimeout: readTimeout, sourceAddress: sourceAddress)
    }

    /// One request on a fresh connection, closed afterwards.
    func get(_ target: String, method: String = "GET", headers: [String] = []) throws -> RawHTTPResponse {
        let client = try client()
        defer { client.close() }
        try client.request(method, target, headers: headers)
        return try client.readResponse(headOnly: method == "HEAD")
    }

    func stop() { server.stop() }
}
