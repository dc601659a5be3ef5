/// Why a JSON-RPC call failed, with the method, the endpoint and what the node said.
public struct JSONRPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Equatable {
        /// The node answered with a JSON-RPC error object.
        case server(code: Int, message: String, data: JSONValue?)
        /// The HTTP status was not a success and the body was not a JSON-RPC answer.
        case httpStatus(Int, body: String)
        /// No answer arrived within the timeout.
        case timedOut(seconds: Double)
        /// The connection failed (refused, reset, DNS …).
        case transport(String)
        /// The answer was not valid JSON-RPC.
        case malformedResponse(String)
        /// The calling task was cancelled.
        case cancelled
    }

    /// The JSON-RPC method, or a summary such as `batch of 12 calls (eth_call …)`.
    public let method: String
    /// The URL that was called.
    public let endpoint: String
    /// What went wrong.
    public let kind: Kind
    /// How many HTTP attempts were made.
    public let attempts: Int

    /// Creates an error.
    public init(method: String, endpoint: String, kind: Kind, attempts: Int = 1) {
        self.method = method
        self.endpoint = endpoint
        self.kind = kind
        self.attempts = attempts
    }

    /// The node's error message, when the node answered with a JSON-RPC error.
    public var serverMessage: String? {
        if case .server(_, let message, _) = kind { message } else { nil }
    }

    /// The node's error code, when the node answered with a JSON-RPC error.
    public var serverCode: Int? {
        if case .server(let code, _, _) = kind { code } else { nil }
    }

    /// A sentence naming the method, the endpoint and the cause, on one line: control
    /// characters, escape sequences and bidi controls in what the node said are shown as
    /// `\u{…}` (``TerminalText``).
    public var description: String {
        let cause: String
        switch kind {
        case .server(let code, let message, let data):
            cause = "the node answered with error \(code): \(message)" + (data.map { " (data: \($0))" } ?? "")
        case .httpStatus(let status, let body):
            cause = "the server answered HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case .timedOut(let seconds):
            cause = "no answer within \(seconds) seconds"
        case .transport(let message):
            cause = "the connection failed: \(message)"
        case .malformedResponse(let reason):
            cause = "the answer is not valid JSON-RPC: \(reason)"
        case .cancelled:
            cause = "the call was cancelled"
        }
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return TerminalText.escaped("\(method) to \(endpoint) failed\(tries): \(cause).")
    }
}
