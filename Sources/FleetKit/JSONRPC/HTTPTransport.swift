import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What came back for one HTTP request: the status code and the body.
public struct HTTPResponse: Sendable, Equatable {
    /// The HTTP status code, e.g. 200 or 429.
    public let status: Int
    /// The response body.
    public let body: Data
    /// The `Retry-After` header in seconds, when the server sent one.
    public let retryAfterSeconds: Double?

    /// Creates a response.
    public init(status: Int, body: Data, retryAfterSeconds: Double? = nil) {
        self.status = status
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// The engine's one HTTP client seam: a GET, or a POST with a JSON body, answered with
/// status, body and `Retry-After`.
///
/// The JSON-RPC client and the kits' API calls talk to the network only through this
/// protocol, so tests can pass a scripted responder and tools can count or log requests.
public protocol HTTPTransport: Sendable {
    /// Posts `body` (JSON) to `url` and returns the response, or throws when no response arrived.
    ///
    /// Implementations should give up after `timeout`; the client also enforces it.
    func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse

    /// GETs `url`, asking for JSON, and returns the response of any status, or throws when
    /// no response arrived within `timeout`.
    func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse
}

/// An ``HTTPTransport`` over `URLSession`, reading at most `maximumBodySize` bytes of any
/// answer: a larger one is cancelled as it arrives and reported as ``HTTPBodyTooLargeError``.
public struct URLSessionHTTPTransport: HTTPTransport {
    /// The default limit on one answer's body: 32 MiB, far above any JSON-RPC answer the kits ask for.
    public static let defaultMaximumBodySize = 32 * BoundedFile.mebibyte

    private let session: URLSession
    private let delegate: BodyLimitingDelegate

    /// Creates a transport over an ``URLSessionConfiguration/uncached`` session, up to 16
    /// connections per host, reading at most `maximumBodySize` bytes of an answer.
    public init(maximumBodySize: Int = defaultMaximumBodySize) {
        let configuration = URLSessionConfiguration.uncached
        configuration.httpMaximumConnectionsPerHost = 16
        self.init(configuration: configuration, maximumBodySize: maximumBodySize)
    }

    /// Creates a transport over a session with a configuration you made.
    public init(configuration: URLSessionConfiguration, maximumBodySize: Int = defaultMaximumBodySize) {
        delegate = BodyLimitingDelegate(limit: max(0, maximumBodySize))
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    /// The most bytes read of one answer's body.
    public var maximumBodySize: Int { delegate.limit }

    /// Posts the body with `Content-Type: application/json`.
    public func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.timeoutInterval = timeout.seconds
        return try await send(request)
    }

    /// GETs `url` with `Accept: application/json`.
    public func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse {
        var request = URLRequest(url: url)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.timeoutInterval = timeout.seconds
        return try await send(request)
    }

    /// Sends `request` on the session; cancelling the calling task cancels it.
    private func send(_ request: URLRequest) async throws -> HTTPResponse {
        let box = DataTaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let task = session.dataTask(with: request)
                delegate.register(task, continuation: continuation, finished: { box.finish() })
                box.start(task)
            }
        } onCancel: {
            box.cancel()
        }
    }
}

/// Holds the data task so a cancellation arriving before or after it starts still cancels
/// it, and one arriving after it finished does not reach it (FoundationNetworking may trap
/// on cancelling a task it already removed).
private final class DataTaskBox: Sendable {
    private struct State {
        var task: URLSessionDataTask?
        var cancelled = false
        var finished = false
    }

    private let state = Locked(State())

    func start(_ newTask: URLSessionDataTask) {
        let alreadyCancelled = state.withLock { state in
            state.task = newTask
            return state.cancelled
        }
        newTask.resume()
        if alreadyCancelled { newTask.cancel() }
    }

    /// Called from the completion handler: nothing is cancelled from now on.
    func finish() {
        state.withLock { state in
            state.finished = true
            state.task = nil
        }
    }

    func cancel() {
        let current = state.withLock { state in
            state.cancelled = true
            return state.finished ? nil : state.task
        }
        current?.cancel()
    }
}

extension URLSessionConfiguration {
    /// An ephemeral configuration without a URL cache or cookies, for API calls whose answers
    /// must never be reused. Without the cache FoundationNetworking also does not trap when
    /// a request is cancelled just as it ends (its cache lookup runs unordered against the
    /// task's removal).
    public static var uncached: URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpShouldSetCookies = false
        configuration.httpCookieStorage = nil
        return configuration
    }
}
