import Foundation

/// A Slack-compatible incoming webhook: posts `{"text": …}` through the engine's
/// ``HTTPTransport``. The URL is the credential (anyone holding it can post), so no message
/// of this type ever carries it: failures name the webhook, never its address.
public struct ChatWebhook: Sendable {
    /// The webhook's address (a secret).
    public var url: URL
    /// How the post travels.
    public var http: any HTTPTransport
    /// How long the post may take.
    public var timeout: Duration

    /// Creates a webhook.
    public init(url: URL, http: any HTTPTransport = URLSessionHTTPTransport(), timeout: Duration = .seconds(20)) {
        self.url = url
        self.http = http
        self.timeout = timeout
    }

    /// Posts `text` as the message's `text`; returns how it went, never throwing, so the
    /// caller's own report is never lost to a failed post.
    public func post(_ text: String) async -> WebhookDelivery {
        let body: Data
        do {
            body = try JSONEncoder().encode(["text": text])
        } catch {
            return .failed(reason: "the message could not be encoded as JSON")
        }
        do {
            let response = try await http.post(body, to: url, timeout: timeout)
            guard (200..<300).contains(response.status) else {
                let answer = TerminalText.escaped(String(decoding: response.body.prefix(200), as: UTF8.self))
                return .failed(reason: "the webhook answered HTTP \(response.status)\(answer.isEmpty ? "" : ": \(hidden(answer))")")
            }
            return .delivered
        } catch {
            return .failed(reason: "the webhook could not be reached: \(hidden(TerminalText.escaped(String(describing: error))))")
        }
    }

    /// `text` with the webhook's address, and its path (the secret part), replaced.
    private func hidden(_ text: String) -> String {
        var text = text.replacingOccurrences(of: url.absoluteString, with: "<webhook>")
        let path = url.path
        if path.count > 1 { text = text.replacingOccurrences(of: path, with: "/***") }
        return text
    }
}

/// How a webhook post went.
public enum WebhookDelivery: Sendable, Equatable {
    /// The webhook accepted the message (HTTP 2xx).
    case delivered
    /// It did not; the reason names no address.
    case failed(reason: String)
}

/// Where a webhook URL is read from, and why it could not be.
public enum WebhookSource {
    /// The webhook URL named by `source`: `env:NAME` reads the environment variable NAME,
    /// anything else is a file whose first line is the URL. A URL given directly is
    /// refused (a command line shows in process lists and shell history).
    ///
    /// - Throws: ``WebhookSourceError``, whose message never holds the URL.
    public static func url(from source: String, environment: [String: String], currentDirectory: URL) throws(WebhookSourceError) -> URL {
        let lowered = source.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            throw WebhookSourceError(message: "a webhook URL on the command line would show in process lists and shell history; put it in a file or an environment variable and give FILE or env:NAME")
        }
        let text: String
        let origin: String
        if source.hasPrefix("env:") {
            let name = String(source.dropFirst(4))
            guard let value = environment[name], !value.isEmpty else {
                throw WebhookSourceError(message: "the environment variable \(TerminalText.quoted(name)) holding the webhook URL is not set")
            }
            (text, origin) = (value, "the environment variable \(name)")
        } else {
            do {
                let file = source.hasPrefix("/") ? URL(fileURLWithPath: source) : currentDirectory.appendingPathComponent(source)
                text = try BoundedFile.readText(file, limit: 64 << 10)
            } catch {
                throw WebhookSourceError(message: "cannot read the webhook URL file \(TerminalText.quoted(source)): \(error.reasonText)")
            }
            origin = "the file \(source)"
        }
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let url = URL(string: line), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host?.isEmpty == false else {
            throw WebhookSourceError(message: "\(TerminalText.quoted(origin)) does not hold an http(s) webhook URL on its first line")
        }
        return url
    }
}

/// A webhook URL that cannot be read; the message never holds the URL.
public struct WebhookSourceError: InputError, Sendable, Equatable {
    /// What is wrong.
    public var message: String

    /// The message.
    public var description: String { message }
}
