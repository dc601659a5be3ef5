import Foundation

/// How many hosts a rolling operation changes at a time: a count, or a share of the hosts.
public enum BatchSize: Sendable, Equatable, Codable, CustomStringConvertible {
    /// This many hosts per batch (at least 1).
    case hosts(Int)
    /// This percentage (above 0, at most 100) of the hosts per batch, rounded up to at least one host.
    case percent(Double)

    /// Reads `3` or `25%`; `nil` for anything else, zero, or a percentage above 100.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value > 0, value <= 100 else { return nil }
            self = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 1 else { return nil }
            self = .hosts(value)
        }
    }

    /// Hosts per batch for `total` hosts.
    public func size(of total: Int) -> Int {
        switch self {
        case .hosts(let count): max(1, count)
        case .percent(let share): max(1, Int((Double(total) * share / 100).rounded(.up)))
        }
    }

    /// `items` cut into batches, in order.
    public func batches<Item>(_ items: [Item]) -> [[Item]] {
        let size = size(of: items.count)
        return stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min(items.count, $0 + size)]) }
    }

    /// `3` or `25%`.
    public var description: String {
        switch self {
        case .hosts(let count): String(count)
        case .percent(let share): share == share.rounded() ? "\(Int(share))%" : "\(share)%"
        }
    }
}

/// The rules of a rolling operation: batch size, how long a changed host may take to pass
/// the health gate, and how many hosts may fail before the rollout stops.
public struct RolloutPolicy: Sendable, Equatable {
    /// Hosts changed at a time.
    public var batchSize: BatchSize
    /// How long the gate waits for each changed host of a batch.
    public var gateTimeout: Duration
    /// Pause between two looks of the gate at a host.
    public var gateInterval: Duration
    /// Failed hosts (action or gate) tolerated across the rollout; one more stops it.
    public var maxFailures: Int

    /// One host at a time, five minutes of gate, no failure tolerated.
    public init(batchSize: BatchSize = .hosts(1), gateTimeout: Duration = .seconds(300), gateInterval: Duration = .seconds(5),
                maxFailures: Int = 0) {
        self.batchSize = batchSize
        self.gateTimeout = gateTimeout
        self.gateInterval = gateInterval
        self.maxFailures = max(0, maxFailures)
    }
}

/// What one look of a health gate at a host saw.
public enum HealthVerdict: Sendable, Equatable {
    /// The host is healthy; what showed it.
    case healthy(String)
    /// Not yet; what is missing.
    case waiting(String)
}

/// Repeated looks at one host after it changed; it may keep what it saw between looks
/// (a first block number, to see it advance).
public protocol HealthWatch: Sendable {
    /// One look.
    mutating func look() async -> HealthVerdict
}

/// A gate a changed host must pass before the rollout goes on: a watch per host, looked
/// at until it is healthy or the policy's time runs out.
public struct HealthGate: Sendable {
    /// Starts the watch of one host.
    public var watch: @Sendable (RemoteHost) -> any HealthWatch

    /// A gate whose looks come from `watch`.
    public init(watch: @escaping @Sendable (RemoteHost) -> any HealthWatch) {
        self.watch = watch
    }

    /// Looks at `host` every `interval` until healthy or `timeout`; the verdict and the last thing seen.
    public func wait(for host: RemoteHost, timeout: Duration, interval: Duration, clock: any FleetClock) async -> (passed: Bool, detail: String) {
        var watch = watch(host)
        let deadline = clock.now().addingTimeInterval(timeout.seconds)
        while true {
            switch await watch.look() {
            case .healthy(let detail): return (true, detail)
            case .waiting(let detail):
                if Task.isCancelled { return (false, "cancelled while waiting: \(detail)") }
                if clock.now() >= deadline { return (false, "not healthy after \(Int(timeout.seconds.rounded())) s: \(detail)") }
                try? await clock.sleep(for: interval)
            }
        }
    }
}
