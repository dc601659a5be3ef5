/// Why a ``SnapshotHTTPServerConfiguration`` was refused or a ``SnapshotHTTPServer`` could
/// not start: one clear sentence naming the option or system call and the bad value.
///
/// The text never contains the bearer token.
public struct SnapshotHTTPServerError: Error, Sendable, CustomStringConvertible {
    /// The sentence to show to whoever configured or started the server.
    public let description: String

    init(_ description: String) { self.description = description }
}
