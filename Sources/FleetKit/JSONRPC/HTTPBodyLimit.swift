import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP answer whose body is larger than the transport reads; the transport stops
/// reading at the limit, so a huge answer costs no more memory than the limit.
public struct HTTPBodyTooLargeError: LocalizedError, Sendable, Equatable, CustomStringConvertible {
    /// The most bytes the transport reads of one body.
    public let limit: Int

    /// Creates the error for `limit`.
    public init(limit: Int) { self.limit = limit }

    /// "the answer is larger than 32 MiB, the most read from one HTTP answer".
    public var description: String {
        "the answer is larger than \(BoundedFile.sizeText(limit)), the most read from one HTTP answer"
    }

    /// The same sentence, for `localizedDescription`.
    public var errorDescription: String? { description }
}

/// The session delegate of ``URLSessionHTTPTransport``: collects each task's body and
/// cancels the task as soon as the body (or its announced length) passes the limit.
///
/// Unchecked sendability: every mutable field lives in the `Locked` box.
final class BodyLimitingDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// One task in flight: who waits for it and what arrived so far.
    struct Pending {
        let continuation: CheckedContinuation<HTTPResponse, any Error>
        let finished: @Sendable () -> Void
        var body = Data()
        var tooLarge = false
    }

    let limit: Int
    private let pending = Locked([Int: Pending]())

    init(limit: Int) {
        self.limit = limit
    }

    /// Remembers who waits for `task` (before it is resumed).
    func register(_ task: URLSessionTask, continuation: CheckedContinuation<HTTPResponse, any Error>, finished: @escaping @Sendable () -> Void) {
        pending.withLock { $0[task.taskIdentifier] = Pending(continuation: continuation, finished: finished) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if response.expectedContentLength > Int64(limit) {
            markTooLarge(dataTask)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = pending.withLock { table -> Bool in
            guard var entry = table[dataTask.taskIdentifier], !entry.tooLarge else { return false }
            if entry.body.count + data.count > limit {
                entry.tooLarge = true
                entry.body = Data()
                table[dataTask.taskIdentifier] = entry
                return true
            }
            entry.body.append(data)
            table[dataTask.taskIdentifier] = entry
            return false
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        entry.finished()
        if entry.tooLarge {
            entry.continuation.resume(throwing: HTTPBodyTooLargeError(limit: limit))
            return
        }
        if let error {
            entry.continuation.resume(throwing: error)
            return
        }
        guard let http = task.response as? HTTPURLResponse else {
            entry.continuation.resume(throwing: URLError(.badServerResponse))
            return
        }
        let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap(Double.init)
        entry.continuation.resume(returning: HTTPResponse(status: http.statusCode, body: entry.body, retryAfterSeconds: retryAfter))
    }

    private func markTooLarge(_ task: URLSessionTask) {
        pending.withLock { table in table[task.taskIdentifier]?.tooLarge = true }
    }
}
