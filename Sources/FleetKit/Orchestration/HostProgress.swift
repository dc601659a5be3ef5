/// How far one host's share of a job got, for the recap of an interrupted run: finished,
/// cut short while working, or never started because the job was cancelled first.
public enum HostProgress: String, Sendable, Codable, Equatable {
    /// The host's work ended on its own (in success or failure).
    case done
    /// A cancellation reached the host's work while it ran: its answer is partial.
    case stoppedInFlight = "stopped_in_flight"
    /// The job was cancelled before the host's turn came.
    case notStarted = "not_started"

    /// The three recap lines of an interrupted job, `done: …`, `stopped in flight: …` and
    /// `not started: …`, each listing hosts in the given order (with the detail given, such
    /// as a host's status or the step it was in) or `none`.
    public static func lines(_ hosts: [(name: String, progress: HostProgress, detail: String?)]) -> [String] {
        func list(_ wanted: HostProgress) -> String {
            let names = hosts.filter { $0.progress == wanted }.map { host in host.detail.map { "\(host.name) \($0)" } ?? host.name }
            return names.isEmpty ? "none" : names.joined(separator: ", ")
        }
        return ["done: \(list(.done))", "stopped in flight: \(list(.stoppedInFlight))", "not started: \(list(.notStarted))"]
    }
}

/// One host's progress by name, as reports keep it beside their results.
public struct HostProgressEntry: Sendable, Codable, Equatable {
    /// The host's name.
    public var host: String
    /// How far its work got.
    public var progress: HostProgress

    /// Creates an entry.
    public init(host: String, progress: HostProgress) {
        self.host = host
        self.progress = progress
    }
}

extension [HostProgressEntry] {
    /// The recap lines of ``HostProgress/lines(_:)`` for these hosts.
    public func progressLines() -> [String] {
        HostProgress.lines(map { (name: $0.host, progress: $0.progress, detail: nil) })
    }
}

extension Concurrently {
    /// ``map(_:limit:_:)`` that also says how far each item got: `notStarted` when the
    /// cancellation came before its turn (its body still runs and sees `Task.isCancelled`),
    /// `stoppedInFlight` when it came while the body ran, `done` otherwise. Results in the
    /// order of `items`.
    public static func mapTrackingProgress<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> Output
    ) async -> [(output: Output, progress: HostProgress)] {
        await map(items, limit: limit) { item in
            let cancelledBefore = Task.isCancelled
            let output = await body(item)
            let progress: HostProgress = cancelledBefore ? .notStarted : (Task.isCancelled ? .stoppedInFlight : .done)
            return (output: output, progress: progress)
        }
    }
}
