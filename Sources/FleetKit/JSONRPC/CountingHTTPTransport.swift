import Foundation

/// An ``HTTPTransport`` that forwards to another and counts the requests it sent, so tools and
/// tests can report how many HTTP round trips a piece of work cost.
public final class CountingHTTPTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked Sendable: `count` is only read and written under `lock`.
    private let lock = NSLock()
    private var count = 0
    private let base: any HTTPTransport

    /// Wraps `base`.
    public init(wrapping base: any HTTPTransport = URLSessionHTTPTransport()) {
        self.base = base
    }

    /// The number of requests sent so far.
    public var requestCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return count
    }

    /// Sets the count back to zero.
    public func reset() {
        lock.lock()
        count = 0
        lock.unlock()
    }

    /// Counts the request and forwards it.
    public func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        lock.withLock { count += 1 }
        return try await base.post(body, to: url, timeout: timeout)
    }
}
