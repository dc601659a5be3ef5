import FleetKit

/// Keeps log entries in memory, so a test can read what a run logged.
public final class MemoryLogSink: LogSink {
    private let stored = Locked<[LogEntry]>([])

    /// Creates an empty sink.
    public init() {}

    /// Stores the entry.
    public func write(_ entry: LogEntry) { stored.withLock { $0.append(entry) } }

    /// Every entry so far, in order.
    public var entries: [LogEntry] { stored.withLock { $0 } }
}
