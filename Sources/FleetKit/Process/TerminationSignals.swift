import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a process's termination signals into cancellation of the work it runs.
public enum TerminationSignals {
    /// Runs `body` in a task that `signals` cancel (SIGTERM from systemd, SIGINT from a
    /// Ctrl-C by default), so the work ends through its own cancellation path — saving
    /// state, stopping what it started — instead of the process dying where it stands.
    /// The signals' default actions are restored when `body` ends.
    public static func cancelling<Result: Sendable>(on signals: [Int32] = [SIGTERM, SIGINT],
                                                   _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let work = Task { try await body() }
        let sources = signals.map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { work.cancel() }
            source.resume()
            return source
        }
        defer {
            sources.forEach { $0.cancel() }
            signals.forEach { signal($0, SIG_DFL) }
        }
        return try await withTaskCancellationHandler { try await work.value } onCancel: { work.cancel() }
    }
}
