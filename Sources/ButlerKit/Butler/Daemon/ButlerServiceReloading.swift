import FleetKit
import Foundation

extension ButlerService {
    /// Runs the daemon like ``run(configuration:options:http:log:listening:)`` and reloads
    /// it on request, as `systemctl reload` expects of a service: for every element of
    /// `reloadRequests` (a tool sends one per SIGHUP), `load` reads the configuration
    /// again. One that loads, with endpoint settings that can work, replaces the running
    /// daemon: its attester states are saved, the new one restores them, reads the keys
    /// files and settings anew and binds its endpoint. One that fails is logged, and the
    /// running daemon goes on unchanged. Returns when the task is cancelled.
    ///
    /// - Throws: what `load` throws the first time, and what
    ///   ``run(configuration:options:http:log:listening:)`` throws (an endpoint that cannot
    ///   be bound, also after a reload).
    public static func run(loading load: @escaping @Sendable () throws -> ButlerConfiguration, reloadRequests: AsyncStream<Void>,
                           options: ButlerDaemonOptions = ButlerDaemonOptions(), http: any HTTPTransport = URLSessionHTTPTransport(),
                           log: @escaping @Sendable (String) -> Void, listening: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws {
        var configuration = try load()
        let pending = Locked<ButlerConfiguration?>(nil)
        let running = Locked<Task<Void, any Error>?>(nil)
        let watcher = Task {
            for await _ in reloadRequests {
                do {
                    let next = try load()
                    _ = try endpoint(next)
                    pending.withLock { $0 = next }
                    log("reloading: the configuration was read again; restarting the daemon with it")
                    running.withLock { $0 }?.cancel()
                } catch {
                    log("reload refused, still running with the previous configuration: \(TerminalText.escaped(String(describing: error)))")
                }
            }
        }
        defer { watcher.cancel() }
        while true {
            let service = Task { [configuration] in
                try await run(configuration: configuration, options: options, http: http, log: log, listening: listening)
            }
            running.withLock { $0 = service }
            // A reload that came while the previous daemon was stopping restarts this one too.
            if pending.withLock({ $0 != nil }) { service.cancel() }
            try await withTaskCancellationHandler { try await service.value } onCancel: { service.cancel() }
            if Task.isCancelled { return }
            guard let next = pending.withLock({ value -> ButlerConfiguration? in
                defer { value = nil }
                return value
            }) else { return }
            configuration = next
        }
    }
}
