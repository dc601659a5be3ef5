import Foundation

extension ToolIO {
    /// The webhook URL the option `option` names (`FILE` or `env:NAME`), read before any
    /// work starts so a bad source stops the command at once; `nil` without the option.
    ///
    /// - Throws: ``WebhookSourceError``, which never holds the URL.
    public func webhook(_ parsed: ParsedCommand, option: String = "post") throws -> URL? {
        try parsed.value(option).map { source throws(WebhookSourceError) in
            try WebhookSource.url(from: source, environment: environment, currentDirectory: currentDirectory)
        }
    }

    /// Posts `text` to `webhook` (nothing without one) and says on standard error how it
    /// went, never naming the URL; whatever was printed or written before stays as it is.
    /// Returns whether there was nothing to post or the post was delivered.
    public func share(_ text: String, to webhook: URL?, http: any HTTPTransport = URLSessionHTTPTransport()) async -> Bool {
        guard let webhook else { return true }
        switch await ChatWebhook(url: webhook, http: http).post(text) {
        case .delivered:
            writeError("posted to the webhook\n")
            return true
        case .failed(let reason):
            writeError("post failed: \(reason); the report above is complete\n")
            return false
        }
    }
}
