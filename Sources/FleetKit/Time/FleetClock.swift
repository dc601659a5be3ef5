import Foundation

/// The time source of the engine: the current date for log lines and pauses between retries.
///
/// Passed in so tests can run retry and backoff logic without sleeping.
public protocol FleetClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends the caller for `duration`.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: FleetClock {
    /// Creates the system clock.
    public init() {}
    /// The current wall-clock time.
    public func now() -> Date { Date() }
    /// Sleeps for real.
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// How often and how long to wait before trying again.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts, the first one included; 1 means no retry.
    public var maxAttempts: Int
    /// Pause before the second attempt; doubled for each later one.
    public var initialDelay: Duration
    /// Upper bound of any pause.
    public var maxDelay: Duration

    /// Creates a policy.
    public init(maxAttempts: Int, initialDelay: Duration, maxDelay: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// Never try again.
    public static let none = RetryPolicy(maxAttempts: 1, initialDelay: .zero, maxDelay: .zero)

    /// The pause after failed attempt number `attempt` (1-based): exponential, capped.
    /// At most 32 doublings, so a huge cap and attempt count cannot overflow.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, min(attempt, 32)) {
            if delay >= maxDelay { break }
            delay = delay * 2
        }
        return min(delay, maxDelay)
    }
}
