import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a tool's run answers the operator's termination signals: the first SIGINT (Ctrl-C),
/// SIGTERM or SIGHUP cancels the running command's task, so the job ends through its own
/// cancellation path (programs and remote commands stopped, the report marking what was
/// left unfinished); a second one forces the process out at once.
///
/// ``CommandLineTool`` uses it for every command; a command reads ``receivedSignal`` to learn
/// whether it was interrupted, and a service whose ordinary way to stop is a signal calls
/// ``treatSignalsAsNormalStop()`` so the tool exits with the command's own code, and
/// ``hangupsAsReloadRequests()`` when SIGHUP should reload it rather than stop it.
public final class ToolInterruption: Sendable {
    /// The signals that interrupt a run.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private struct State {
        var first: Int32?
        var normalStop = false
        var reloads: AsyncStream<Void>.Continuation?
    }
    private let state = Locked(State())

    /// Creates a watcher that has seen no signal.
    public init() {}

    /// The first signal received, `nil` while none came.
    public var receivedSignal: Int32? { state.withLock { $0.first } }

    /// Whether a signal interrupted the run.
    public var isInterrupted: Bool { receivedSignal != nil }

    /// Whether the command said a signal is its ordinary way to stop.
    public var stopsNormallyOnSignal: Bool { state.withLock { $0.normalStop } }

    /// Declares that a signal is the command's ordinary way to stop (a service under
    /// systemd): the tool then exits with the code the command returns, not 128+n.
    public func treatSignalsAsNormalStop() { state.withLock { $0.normalStop = true } }

    /// Makes SIGHUP a request to reload instead of an interruption, as daemons under systemd
    /// expect (`systemctl reload`): every SIGHUP from now on yields one element of the
    /// returned stream, and only SIGINT and SIGTERM stop the run. Call it once, before the
    /// work starts; the stream finishes when the run ends.
    public func hangupsAsReloadRequests() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        state.withLock { $0.reloads = continuation }
        return stream
    }

    /// Passes a SIGHUP on as a reload request when the command asked for that; true when it did.
    func requestReload(for signal: Int32) -> Bool {
        guard signal == SIGHUP, let reloads = state.withLock({ $0.reloads }) else { return false }
        reloads.yield()
        return true
    }

    /// The shell's exit code for a run ended by `signal`: 128 + its number
    /// (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
    public static func exitCode(for signal: Int32) -> Int32 { 128 + signal }

    /// The signal's usual name ("SIGINT"), or "signal N".
    public static func name(of signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGPIPE: "SIGPIPE"
        default: "signal \(signal)"
        }
    }

    /// Sends SIGKILL to every process this one started, and theirs: what a forced exit
    /// leaves no time to stop gently.
    static func killLocalPrograms() {
        for pid in ProcessTree.descendants(of: getpid()) { kill(pid, SIGKILL) }
    }

    /// Records `signal`; true when it is the first, false when one came before.
    func record(_ signal: Int32) -> Bool {
        state.withLock { fields in
            guard fields.first == nil else { return false }
            fields.first = signal
            return true
        }
    }

    /// How ``run(_:)`` ended.
    enum Ending<Value: Sendable>: Sendable {
        /// `body` returned or threw (cancelled by a first signal, or not).
        case finished(Result<Value, any Error>)
        /// A second signal came while `body` was still stopping.
        case forced(Int32)
    }

    /// Runs `body` in a task that the first of ``signals`` cancels, and returns when it
    /// ends, or at once when a second signal comes (`body` is then left running: the caller
    /// ends the process). The signals' default actions are restored on return.
    func run<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) async -> Ending<Value> {
        let work = Locked<Task<Void, Never>?>(nil)
        let ending = OnceContinuation<Ending<Value>>()
        let sources = Self.signals.map { number -> DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                // Two signals close together arrive as one event with a count of two.
                for _ in 0..<max(1, Int(source.data)) {
                    if requestReload(for: number) {
                        continue
                    } else if record(number) {
                        work.withLock { $0 }?.cancel()
                    } else {
                        ending.resume(.forced(number))
                    }
                }
            }
            source.resume()
            return source
        }
        defer {
            sources.forEach { $0.cancel() }
            Self.signals.forEach { signal($0, SIG_DFL) }
            state.withLock { $0.reloads }?.finish()
        }
        return await withCheckedContinuation { continuation in
            ending.set(continuation)
            let task = Task {
                do {
                    ending.resume(.finished(.success(try await body())))
                } catch {
                    ending.resume(.finished(.failure(error)))
                }
            }
            work.withLock { $0 = task }
            if isInterrupted { task.cancel() }   // a signal that came before the task was stored
        }
    }
}

/// A continuation resumed once, by whichever of several callers comes first.
private final class OnceContinuation<Value: Sendable>: Sendable {
    private struct Fields {
        var continuation: CheckedContinuation<Value, Never>?
        var pending: Value?
        var done = false
    }
    private let fields = Locked(Fields())

    func set(_ continuation: CheckedContinuation<Value, Never>) {
        let early: Value? = fields.withLock {
            if let pending = $0.pending { return pending }
            $0.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ value: Value) {
        let continuation: CheckedContinuation<Value, Never>? = fields.withLock {
            guard !$0.done else { return nil }
            $0.done = true
            guard let continuation = $0.continuation else {
                $0.pending = value
                return nil
            }
            $0.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
