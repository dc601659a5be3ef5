import FleetKit
import Foundation

/// `serve`: the daemon of one network behind its HTTP endpoint.
///
/// `/metrics` answers the Prometheus page (bearer token required when `METRICS_BEARER_TOKEN`
/// is set, and always beyond loopback); `/healthz` answers without a token, for systemd and
/// load balancers. The endpoint is bound before the first read, so Prometheus sees the
/// daemon (with its scrape-health metrics) even while the chain is unreachable.
public enum ButlerService {
    /// The HTTP endpoint's settings from the configuration: `METRICS_HOST`, `METRICS_PORT`,
    /// `METRICS_BEARER_TOKEN`.
    ///
    /// - Throws: ``ButlerConfigError`` when they cannot work, e.g. an address beyond loopback
    ///   without a token.
    public static func endpoint(_ configuration: ButlerConfiguration) throws(ButlerConfigError) -> SnapshotHTTPServerConfiguration {
        do {
            return try SnapshotHTTPServerConfiguration(host: configuration.metricsHost, port: configuration.metricsPort,
                                                       bearerToken: configuration.metricsBearerToken?.revealed)
        } catch {
            throw ButlerConfigError(message: "METRICS_HOST \(configuration.metricsHost), METRICS_PORT \(configuration.metricsPort): \(error)")
        }
    }

    /// Checks the endpoint's settings, binds it, runs the daemon until the task is cancelled,
    /// saves the states and closes the endpoint. Logs where it serves and that it stopped.
    ///
    /// - Parameters:
    ///   - listening: called once the endpoint is bound, with its address and port.
    /// - Throws: ``ButlerConfigError`` when the endpoint's settings cannot work (before
    ///   anything else), ``ButlerDaemonError`` when the endpoint cannot be bound (port in use);
    ///   nothing else stops the daemon.
    public static func run(configuration: ButlerConfiguration, options: ButlerDaemonOptions = ButlerDaemonOptions(),
                           http: any HTTPTransport = URLSessionHTTPTransport(), log: @escaping @Sendable (String) -> Void,
                           listening: @Sendable (String, Int) -> Void = { _, _ in }) async throws {
        let server = SnapshotHTTPServer(configuration: try endpoint(configuration))
        let publish: @Sendable (ButlerDaemonSnapshot) -> Void = { snapshot in
            server.publish(HTTPSnapshot(contentType: PrometheusText.contentType, body: Array(snapshot.metrics.utf8)), at: "/metrics")
            server.publish(HTTPSnapshot(contentType: "text/plain; charset=utf-8", body: Array(snapshot.health.utf8)), at: "/healthz")
        }
        let daemon = ButlerDaemon(configuration: configuration, options: options, http: http, log: log, publish: publish)
        publish(await daemon.snapshot())
        let port: Int
        do {
            port = try server.start()
        } catch {
            throw ButlerDaemonError(message: "cannot listen on \(configuration.metricsHost) port \(configuration.metricsPort) (METRICS_HOST, METRICS_PORT): \(error)")
        }
        let shownHost = configuration.metricsHost.contains(":") ? "[\(configuration.metricsHost)]" : configuration.metricsHost
        log("serving http://\(shownHost):\(port)/metrics and /healthz")
        listening(configuration.metricsHost, port)
        await daemon.run()
        server.stop()
        log("stopped; attester states saved")
    }
}
