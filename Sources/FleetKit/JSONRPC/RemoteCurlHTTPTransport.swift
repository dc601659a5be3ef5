import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An ``HTTPTransport`` that sends each request with `curl` on a host, through a ``Transport``:
/// for JSON-RPC services that listen only on a server's loopback (`http://127.0.0.1:8080/`
/// as the server sees it), so a ``JSONRPCClient`` can call them over SSH without a tunnel.
///
/// The body travels on curl's standard input, never in the command line; the URL is quoted
/// with ``ShellQuote``. curl's timeout (exit 28) is reported as `URLError(.timedOut)`, so the
/// JSON-RPC client treats it as it treats any timeout.
///
/// At most `maximumBodySize` bytes of an answer are read (curl's `--max-filesize` stops the
/// transfer on the host, and no more output than that is kept here); a larger answer is
/// reported as ``HTTPBodyTooLargeError``.
public struct RemoteCurlHTTPTransport: HTTPTransport {
    /// How commands reach the host.
    public var transport: any Transport
    /// The host whose curl sends the requests.
    public var host: RemoteHost
    /// The most bytes read of one answer's body.
    public var maximumBodySize: Int

    /// Creates a transport that posts from `host`, reading at most `maximumBodySize` bytes of an answer.
    public init(transport: any Transport, host: RemoteHost, maximumBodySize: Int = URLSessionHTTPTransport.defaultMaximumBodySize) {
        self.transport = transport
        self.host = host
        self.maximumBodySize = max(0, maximumBodySize)
    }

    /// The command run on the host for a POST: the body on standard input, the status code on the last line.
    public static func script(url: URL, timeout: Duration, maximumBodySize: Int = URLSessionHTTPTransport.defaultMaximumBodySize) -> String {
        "curl -sS -m \(curlSeconds(timeout)) --max-filesize \(maximumBodySize) -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' "
            + "--data-binary @- -w '\\n%{http_code}' -- \(ShellQuote.quote(url.absoluteString))"
    }

    /// The command run on the host for a GET: the status code on the last line.
    public static func getScript(url: URL, timeout: Duration, maximumBodySize: Int = URLSessionHTTPTransport.defaultMaximumBodySize) -> String {
        "curl -sS -m \(curlSeconds(timeout)) --max-filesize \(maximumBodySize) -H 'Accept: application/json' -w '\\n%{http_code}' -- \(ShellQuote.quote(url.absoluteString))"
    }

    /// Output kept of curl: the body limit, plus room for the status line.
    private var outputLimit: Int { maximumBodySize + 16 }

    /// curl's `-m`: whole seconds, at least one.
    private static func curlSeconds(_ timeout: Duration) -> Int { max(1, Int(timeout.seconds.rounded(.up))) }

    /// Posts `body` to `url` from the host.
    ///
    /// - Throws: the ``TransportError`` when the host cannot be used, `URLError(.timedOut)`
    ///   when curl or the command ran out of time, ``RemoteCurlError`` when curl failed
    ///   otherwise (connection refused: exit 7) or printed no status code.
    public func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
        try await send(RemoteCommand(Self.script(url: url, timeout: timeout, maximumBodySize: maximumBodySize), standardInput: body,
                                     timeout: timeout + .seconds(5), outputLimit: outputLimit),
                       method: "POST", url: url)
    }

    /// GETs `url` from the host; throws as ``post(_:to:timeout:)`` does.
    public func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse {
        try await send(RemoteCommand(Self.getScript(url: url, timeout: timeout, maximumBodySize: maximumBodySize), timeout: timeout + .seconds(5),
                                     outputLimit: outputLimit),
                       method: "GET", url: url)
    }

    private func send(_ command: RemoteCommand, method: String, url: URL) async throws -> HTTPResponse {
        let result = try await transport.run(command, on: host)
        if result.timedOut || result.exitStatus == 28 { throw URLError(.timedOut) }
        // curl exit 63: the answer passed --max-filesize; a truncated output: it passed the limit here.
        if result.exitStatus == 63 || result.truncated || result.standardOutput.utf8.count > outputLimit {
            throw HTTPBodyTooLargeError(limit: maximumBodySize)
        }
        guard result.exitStatus == 0 else {
            throw RemoteCurlError(host: host.name, method: method, url: url.absoluteString, curlExit: result.exitStatus, detail: result.tail(lines: 2))
        }
        return try Self.response(from: result.standardOutput, host: host.name, method: method, url: url.absoluteString)
    }

    /// Splits curl's output into the body and the status code of its last line.
    static func response(from output: String, host: String, method: String, url: String) throws(RemoteCurlError) -> HTTPResponse {
        guard let newline = output.lastIndex(of: "\n"), let status = Int(output[output.index(after: newline)...]) else {
            throw RemoteCurlError(host: host, method: method, url: url, curlExit: 0, detail: "curl printed no HTTP status code")
        }
        return HTTPResponse(status: status, body: Data(output[..<newline].utf8))
    }
}

/// curl on a host could not complete a request.
public struct RemoteCurlError: LocalizedError, Sendable, Equatable, CustomStringConvertible {
    /// The host that ran curl.
    public let host: String
    /// `GET` or `POST`.
    public let method: String
    /// The URL as given to curl.
    public let url: String
    /// curl's exit status (7: connection refused, 6: host not found …); 0 when curl succeeded
    /// but its output could not be read.
    public let curlExit: Int32
    /// curl's own words, from its standard error.
    public let detail: String

    /// A sentence naming the host, the URL and what curl said.
    public var description: String {
        let cause = curlExit == 7 ? "nothing listens there (curl exit 7)" : curlExit == 0 ? detail : "curl exit \(curlExit)"
        return "\(host): \(method) \(url) failed: \(cause)\(curlExit != 0 && !detail.isEmpty ? ": " + detail : "")"
    }

    /// The same sentence, for `localizedDescription`.
    public var errorDescription: String? { description }
}
